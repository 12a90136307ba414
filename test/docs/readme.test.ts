/**
 * The README's examples, run as written: its TypeScript blocks (imported as modules) and its
 * `aws ecr` quick-start block (against a server started here; only the port differs).
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const readme = await readFile(join(root, "README.md"), "utf8");
const blocks = (language: string) =>
  [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!);

describe("README TypeScript examples", () => {
  const snippets = blocks("ts").filter((code) => !code.includes("createMyEventStore"));
  const dir = join(root, "test/docs/.snippets");
  beforeAll(() => mkdir(dir, { recursive: true }));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("has the examples this test expects", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  it.each(snippets.map((code, i) => [i, code] as const))(
    "example %i runs and prints no error",
    async (i, code) => {
      const file = join(dir, `snippet-${i}.ts`);
      await writeFile(file, code);
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        await import(file);
        expect(log).toHaveBeenCalled();
        for (const [printed] of log.mock.calls) expect(JSON.stringify(printed)).not.toMatch(/Exception|Left/);
      } finally {
        log.mockRestore();
      }
    },
  );
});

describe("README aws CLI quick start", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve({
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: "000000000000",
      storage: "memory",
      dataDir: ".berth-data",
      logLevel: "silent",
      lenient: false,
    });
  });
  afterAll(() => server.stop());

  it("every aws ecr command of the quick start succeeds", async () => {
    const block = blocks("sh").find((code) => code.includes("aws ecr create-repository"));
    expect(block).toBeDefined();
    const script = block!.replaceAll("localhost:5000", `127.0.0.1:${server.port}`);
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null" },
    });
    expect(stdout).toContain('"repositoryName": "team/app"');
    expect(stdout).toContain('"imageTags"');
    expect(stdout).toContain('"imageManifest"');
  }, 60_000);
});
