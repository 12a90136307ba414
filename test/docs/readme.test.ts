/**
 * The README's examples, run as written: its TypeScript blocks (imported as modules), its
 * `aws ecr` quick-start block and its skopeo lines (against a server started here; only the port
 * differs).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ServeOptions, serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildImage, readLayout, writeLayout } from "../support/oci-layout.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const readme = await readFile(join(root, "README.md"), "utf8");
const blocks = (language: string) =>
  [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!);

/** A server of the example's own: memory storage, default account and region, quiet. */
const serveOnMemory = (options: Partial<ServeOptions> = {}) =>
  serve({
    host: "127.0.0.1",
    port: 0,
    region: "us-east-1",
    registryId: "000000000000",
    storage: "memory",
    dataDir: ".berth-data",
    logLevel: "silent",
    lenient: false,
    ...options,
  });

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

describe("README quick start against a running server", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serveOnMemory({ createOnPush: true });
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

  it("the lifecycle example runs as written after the quick start, on a server of its own", async () => {
    const own = await serveOnMemory();
    try {
      const quickStart = blocks("sh").find((code) => code.includes("aws ecr create-repository"))!;
      const lifecycle = blocks("sh").find((code) => code.includes("aws ecr put-lifecycle-policy"));
      expect(lifecycle).toBeDefined();
      const script = `${quickStart}\n${lifecycle}`.replaceAll("localhost:5000", `127.0.0.1:${own.port}`);
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null" },
      });
      expect(stdout).toContain('"status": "COMPLETE"');
      expect(stdout).toContain('"expiringImageTotalCount": 0');
      expect(stdout).toContain('"lastEvaluatedAt"');
    } finally {
      await own.stop();
    }
  }, 60_000);

  it("the creation template example runs as written, on a server of its own without --create-on-push", async () => {
    const own = await serveOnMemory();
    const cwd = await mkdtemp(join(tmpdir(), "berth-readme-"));
    try {
      await writeLayout(join(cwd, "app-layout"), [{ name: "v1", image: buildImage({ seed: "templates" }) }]);
      const block = blocks("sh").find((code) => code.includes("aws ecr create-repository-creation-template"));
      expect(block).toBeDefined();
      const { stdout } = await promisify(execFile)(
        "bash",
        ["-euo", "pipefail", "-c", block!.replaceAll("localhost:5000", `127.0.0.1:${own.port}`)],
        {
          cwd,
          // The quick start's exports, which the example follows.
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: "/dev/null",
          },
        },
      );
      expect(stdout).toContain('"repositoryName": "ci/app"');
      expect(stdout).toContain('"imageTagMutability": "IMMUTABLE"');
      expect(stdout).toContain('"lifecyclePolicyText"');
      expect(stdout).toContain('"prefix": "ci"');
    } finally {
      await own.stop();
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it("the skopeo lines copy an image in and back out, digests intact", async () => {
    const block = blocks("sh").find((code) => code.includes("skopeo copy"));
    const lines = block!.split("\n").filter((line) => line.startsWith("skopeo copy"));
    expect(lines).toHaveLength(2);
    const cwd = await mkdtemp(join(tmpdir(), "berth-readme-"));
    try {
      const image = buildImage({ seed: "readme" });
      await writeLayout(join(cwd, "app-layout"), [{ name: "v1", image }]);
      for (const line of lines) {
        await promisify(execFile)(
          "bash",
          ["-euo", "pipefail", "-c", line.replaceAll("localhost:5000", `127.0.0.1:${server.port}`)],
          { cwd },
        );
      }
      const copied = await readLayout(join(cwd, "app-copy"), "v1");
      expect(copied.descriptor.digest).toBe(image.manifestDigest);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it("the regions example keeps eu-west-1 apart from us-east-1, on a server of its own", async () => {
    const own = await serveOnMemory({ credentials: "AKIDREGIONS:regions-secret" });
    const cwd = await mkdtemp(join(tmpdir(), "berth-readme-regions-"));
    try {
      await writeLayout(join(cwd, "app-layout"), [{ name: "v1", image: buildImage({ seed: "regions" }) }]);
      const block = blocks("sh").find((code) => code.includes("--region eu-west-1"));
      expect(block).toBeDefined();
      // The block starts its server itself; here it is the one started above.
      const script = block!
        .split("\n")
        .filter((line) => !line.startsWith("berth serve"))
        .join("\n")
        .replaceAll("localhost:5002", `127.0.0.1:${own.port}`);
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
        cwd,
        env: {
          ...process.env,
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_CONFIG_FILE: "/dev/null",
        },
      });
      expect(stdout).toContain('"arn:aws:ecr:eu-west-1:000000000000:repository/team/eu"');
      expect(stdout).toMatch(/^\[\]$/m);
      expect(stdout).toContain('"imageTags": [\n                "v1"');
    } finally {
      await own.stop();
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it("the replication example copies a push from us-east-1 to eu-west-1, on a server of its own", async () => {
    const own = await serveOnMemory();
    const cwd = await mkdtemp(join(tmpdir(), "berth-readme-replication-"));
    try {
      const image = buildImage({ seed: "replication" });
      await writeLayout(join(cwd, "app-layout"), [{ name: "v1", image }]);
      const block = blocks("sh").find((code) => code.includes("put-replication-configuration"));
      expect(block).toBeDefined();
      // The block starts its server itself; here it is the one started above.
      const script = block!
        .split("\n")
        .filter((line) => !line.startsWith("berth serve"))
        .join("\n")
        .replaceAll("localhost:5003", `127.0.0.1:${own.port}`);
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
        cwd,
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null" },
      });
      expect(stdout).toContain('"status": "COMPLETE"');
      expect(stdout).toContain('"region": "eu-west-1"');
      expect(stdout).toContain(`"imageDigest": "${image.manifestDigest}"`);
      expect(stdout).toContain('"imageTags": [\n                "v1"');
    } finally {
      await own.stop();
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it("the pull-through cache example fills through the server from a second one, digests intact", async () => {
    const block = blocks("sh").find((code) => code.includes("create-pull-through-cache-rule"));
    expect(block).toBeDefined();
    const upstream = await serveOnMemory({ createOnPush: true });
    const cwd = await mkdtemp(join(tmpdir(), "berth-readme-ptc-"));
    try {
      const image = buildImage({ seed: "readme-pull-through" });
      await writeLayout(join(cwd, "app-layout"), [{ name: "v1", image }]);
      // The block starts the upstream itself; here it is the server started above.
      const script = block!
        .split("\n")
        .filter((line) => !line.startsWith("berth serve"))
        .join("\n")
        .replaceAll("localhost:5001", `127.0.0.1:${upstream.port}`)
        .replaceAll("localhost:5000", `127.0.0.1:${server.port}`);
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
        cwd,
        // As the quick start exports them.
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_CONFIG_FILE: "/dev/null",
        },
      });
      expect(stdout).toContain(image.manifestDigest);
      expect(stdout).toContain('"isValid": true');
      expect((await readLayout(join(cwd, "app-cached"), "v1")).descriptor.digest).toBe(image.manifestDigest);
    } finally {
      await upstream.stop();
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
