/**
 * The architecture, checked: files and functions stay small, the layers import only downwards
 * (core ← engine ← server; adapters on engine), and no package has an import cycle.
 */
import { describe, expect, it } from "vitest";
import { functionSpans, resolveRelative, type SourceFile, sourceFiles } from "./source-files.js";

const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 120;

const files = sourceFiles();
const packageOf = (specifier: string) => specifier.split("/").slice(0, 2).join("/");

/** What each layer may import besides its own relative files and Node's built-ins. */
const ALLOWED: Record<string, (specifier: string) => boolean> = {
  "packages/core": (s) => /^(fp-ts|io-ts)(\/|$)/.test(s),
  // The engine is where I/O lives: Node's built-ins are its to use.
  "packages/engine": (s) => packageOf(s) === "@berth/core" || /^(node:|fp-ts|io-ts)/.test(s),
};

const cycles = (pkgFiles: ReadonlyArray<SourceFile>): string[][] => {
  const byPath = new Map(pkgFiles.map((file) => [file.path, file]));
  const edges = (file: SourceFile) =>
    file.imports.filter((s) => s.startsWith(".")).map((s) => resolveRelative(file, s));
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (path: string, trail: string[]) => {
    if (state.get(path) === "done") return;
    if (state.get(path) === "visiting") {
      found.push([...trail.slice(trail.indexOf(path)), path]);
      return;
    }
    state.set(path, "visiting");
    const file = byPath.get(path);
    for (const next of file === undefined ? [] : edges(file)) visit(next, [...trail, path]);
    state.set(path, "done");
  };
  for (const file of pkgFiles) visit(file.path, []);
  return found;
};

describe("the source layout", () => {
  it("finds the packages it checks", () => {
    const packages = new Set(files.map((file) => file.pkg));
    for (const pkg of ["packages/core", "packages/engine", "packages/server", "adapters/postgres"])
      expect(packages).toContain(pkg);
  });

  it(`keeps every source file at ${MAX_FILE_LINES} lines or fewer`, () => {
    const long = files
      .map((file) => ({ path: file.path, lines: file.text.split("\n").length - 1 }))
      .filter((file) => file.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`keeps every function at ${MAX_FUNCTION_LINES} lines or fewer`, () => {
    const long = files.flatMap((file) =>
      functionSpans(file)
        .filter((span) => span.lines > MAX_FUNCTION_LINES)
        .map((span) => `${file.path}:${span.line} ${span.name} (${span.lines} lines)`),
    );
    expect(long).toEqual([]);
  });

  it("imports only downwards: core on fp-ts and io-ts, the engine on core", () => {
    const wrong = files.flatMap((file) => {
      const allowed = ALLOWED[file.pkg];
      if (allowed === undefined) return [];
      return file.imports
        .filter((s) => !s.startsWith(".") && !allowed(s))
        .map((s) => `${file.path} imports ${s}`);
    });
    expect(wrong).toEqual([]);
  });

  it("has no import cycle inside any package", () => {
    const packages = [...new Set(files.map((file) => file.pkg))];
    const found = packages.flatMap((pkg) => cycles(files.filter((file) => file.pkg === pkg)));
    expect(found.map((cycle) => cycle.join(" → "))).toEqual([]);
  });
});
