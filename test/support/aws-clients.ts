/**
 * The Python clients of AWS, driven against a Berth started by a test: the `aws` CLI and boto3.
 * Each runs with no profile, config file or instance metadata, so only what the test passes counts.
 * A missing client fails the suite with how to install it, never skips it.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "vitest";

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment that names no profile, config file or metadata service: nothing leaks in. */
const isolatedEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  ...extra,
});

export const missingCli = () =>
  new Error(
    "The aws CLI is not on PATH: this suite needs it (install AWS CLI v2, https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html, or `pip install awscli`).",
  );

/** Runs `aws ecr <args>` against `endpoint`; a failing command answers its exit code and stderr. */
export const awsEcr = async (
  endpoint: string,
  args: ReadonlyArray<string>,
  credentials = { id: "test", secret: "test" },
): Promise<CliResult> => {
  const env = isolatedEnv({
    AWS_ACCESS_KEY_ID: credentials.id,
    AWS_SECRET_ACCESS_KEY: credentials.secret,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
  });
  try {
    const { stdout, stderr } = await run(
      "aws",
      ["ecr", ...args, "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"],
      { env, timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & {
      code?: number | string;
      stdout?: string;
      stderr?: string;
    };
    if (failed.code === "ENOENT") throw missingCli();
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? "",
    };
  }
};

/** The CLI's parsed JSON output of a command that must have succeeded. */
export const ok = (result: CliResult): Record<string, unknown> => {
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return result.stdout.trim() === "" ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
};

/** Fails the suite, with how to install it, when `aws` is not on PATH. */
export const requireAwsCli = async () => {
  try {
    await run("aws", ["--version"], { timeout: 30_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw missingCli();
    throw error;
  }
};

/** Runs a Python script (boto3 importable) with `args` as sys.argv[1:]; answers its stdout. */
export const runPython = async (script: string, args: ReadonlyArray<string>) =>
  (await run("python3", ["-c", script, ...args], { env: isolatedEnv(), timeout: 60_000 })).stdout;

/** The `aws ecr` commands the installed CLI lists in `aws ecr help` (kebab-case, e.g. `start-image-scan`). */
export const awsEcrCommands = async (): Promise<ReadonlyArray<string>> => {
  await requireAwsCli();
  const { stdout } = await run("aws", ["ecr", "help"], {
    env: isolatedEnv({ PAGER: "cat", AWS_PAGER: "" }),
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  // The help page lists each command as "o name"; groff may overstrike the bullet ("+", backspace,
  // "o"), which the \S* before it absorbs.
  return [...stdout.matchAll(/^\s*\S*o\s+([a-z0-9-]+)\s*$/gm)].map((match) => match[1] ?? "");
};
