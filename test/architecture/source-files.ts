/** The project's source files as the architecture rules see them: path, text and parsed imports. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  readonly path: string;
  /** `packages/core`, `adapters/postgres`, … */
  readonly pkg: string;
  readonly text: string;
  readonly parsed: ts.SourceFile;
  /** Every module specifier imported or re-exported (type-only included). */
  readonly imports: ReadonlyArray<string>;
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });

const importsOf = (parsed: ts.SourceFile): string[] =>
  parsed.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier !== undefined &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );

/** Every `.ts` file under `packages/<name>/src` and `adapters/<name>/src`. */
export const sourceFiles = (): ReadonlyArray<SourceFile> =>
  ["packages", "adapters"].flatMap((group) =>
    readdirSync(join(ROOT, group)).flatMap((name) => {
      const src = join(ROOT, group, name, "src");
      let files: string[];
      try {
        files = walk(src);
      } catch {
        return [];
      }
      return files.map((file) => {
        const text = readFileSync(file, "utf8");
        const parsed = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
        return {
          path: relative(ROOT, file).split("\\").join("/"),
          pkg: `${group}/${name}`,
          text,
          parsed,
          imports: importsOf(parsed),
        };
      });
    }),
  );

export interface FunctionSpan {
  readonly name: string;
  readonly lines: number;
  readonly line: number;
}

const nameOf = (node: ts.Node): string => {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name !== undefined)
    return node.name.getText();
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)))
    return parent.name.getText();
  return "(anonymous)";
};

/** Every function, arrow function and method of a file, with its length in lines. */
export const functionSpans = (file: SourceFile): ReadonlyArray<FunctionSpan> => {
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = file.parsed.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = file.parsed.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ name: nameOf(node), lines: end - start + 1, line: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file.parsed);
  return spans;
};

/** The file a relative import names (`./x.js` → `x.ts`, `./dir/index.js` as written). */
export const resolveRelative = (from: SourceFile, specifier: string): string =>
  relative(ROOT, resolve(ROOT, dirname(from.path), specifier.replace(/\.js$/, ".ts")))
    .split("\\")
    .join("/");
