/**
 * Engines in processes of their own, for suites that kill them. Tests import TypeScript sources
 * through vitest; a child process is plain node, so it runs against the built packages: `buildEngine`
 * compiles core, engine and the Postgres adapter into their `dist/` (what their package.json
 * "exports" default to), and `startWorker` transpiles a worker file of test/support (type-erasable
 * TypeScript, e.g. push-worker.ts) and runs it with node from test/, where `@berth/*` resolve.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";

const testDirectory = join(dirname(fileURLToPath(import.meta.url)), "..");
const repositoryRoot = join(testDirectory, "..");

/** `tsc -b` of what a worker imports, so that `dist/` matches the sources under test. */
export async function buildEngine(
  projects: ReadonlyArray<string> = ["packages/core", "packages/engine", "adapters/postgres"],
): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-b", ...projects], {
      cwd: repositoryRoot,
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `Building ${projects.join(", ")} for the worker processes failed (they run the built dist/):\n${output.stdout ?? ""}${output.stderr ?? output.message}`,
    );
  }
}

/** A running worker and the JSON lines it printed so far. */
export interface WorkerProcess<Line> {
  readonly lines: ReadonlyArray<Line>;
  /** The first line (already printed or still to come) that `matches`; rejects if the worker exits first. */
  waitFor(matches: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  kill(signal?: NodeJS.Signals): void;
  /** How the process ended. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

/**
 * Runs `file` (a path relative to test/support) in a new node process, with `env` added to this
 * process's environment. Its stdout must be JSON lines.
 */
export async function startWorker<Line>(
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<WorkerProcess<Line>> {
  const source = await readFile(join(testDirectory, "support", file), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    fileName: file,
  });
  // --eval resolves imports from the working directory: test/, whose node_modules hold @berth/*.
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "--eval", outputText], {
    cwd: testDirectory,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let pending = "";
  child.stdout?.setEncoding("utf8").on("data", (data: string) => {
    pending += data;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (text.trim() !== "") {
        try {
          lines.push(JSON.parse(text) as Line);
        } catch {
          stderr += `(stdout, not JSON) ${text}\n`;
        }
      }
      newline = pending.indexOf("\n");
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding("utf8").on("data", (data: string) => {
    stderr += data;
  });
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      ended = true;
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });

  return {
    lines,
    exited,
    stderr: () => stderr,
    kill: (signal = "SIGKILL") => {
      child.kill(signal);
    },
    waitFor(matches, timeoutMs = 30_000) {
      return new Promise<Line>((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            if (matches(lines[seen]!)) return finish(() => resolve(lines[seen]!));
          }
          // Lines arrive before "exit"; once exited, nothing more will come.
          if (ended)
            finish(() => reject(new Error(`The worker ended before the awaited line.\nstderr:\n${stderr}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(`No awaited line from the worker within ${timeoutMs} ms.\nstderr:\n${stderr}`),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
