/**
 * The `berth` that `pnpm start` runs is the bundle (packages/server/dist/bundle/berth.js): Berth's
 * packages and kysely, fp-ts, io-ts and commander in a few files, every other package imported from
 * node_modules. Here it is built as `pnpm build` builds it and run as a process against each
 * storage, so a library the bundle cannot reach (a missing dependency, a file a package looks for
 * beside itself) fails here, not on a user's first start: embedded (better-sqlite3), PostgreSQL
 * with blobs on S3 (moto), and a restart from a state snapshot read by COPY (pg-copy-streams).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BatchGetImageCommand, CreateRepositoryCommand, type ECRClient } from "@aws-sdk/client-ecr";
import { BERTH_NODE_FLAGS } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localEcrClient } from "../support/berth-server.js";
import { buildEngine } from "../support/engine-process.js";
import { type MotoS3, startMotoS3 } from "../support/moto-s3.js";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";
import { bytesOf, OCI_MANIFEST, pushImage } from "./ecr-helpers.js";

const server = fileURLToPath(new URL("../../packages/server/", import.meta.url));
const berth = join(server, "dist/bundle/berth.js");

interface Running {
  readonly client: ECRClient;
  /** The process's command line, as the kernel holds it. */
  readonly commandLine: () => Promise<string[]>;
  /** Every line the process printed so far. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * `berth serve --port 0 <args>`, run as its own program (its `#!` line starts Node), once its log
 * names the address it listens on.
 */
const startBerth = async (args: ReadonlyArray<string>): Promise<Running> => {
  const child: ChildProcess = spawn(berth, ["serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listening = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1];
      if (url !== undefined) resolve(url);
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`berth exited (${code}) before listening:\n${output}`)));
  });
  const endpoint = await listening;
  const client = localEcrClient(endpoint);
  return {
    client,
    commandLine: async () => (await readFile(`/proc/${child.pid}/cmdline`, "utf8")).split("\0"),
    output: () => output,
    async stop() {
      client.destroy();
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
};

/** Pushes an image with one layer, then reads its manifest back. */
const pushAndPull = async ({ client }: Running, repositoryName: string) => {
  await client.send(new CreateRepositoryCommand({ repositoryName }));
  const image = await pushImage(client, repositoryName, { tag: "v1", layers: [bytesOf(70_000, 3)] });
  await expectManifest(client, repositoryName, image.manifest);
};

const expectManifest = async (client: ECRClient, repositoryName: string, manifest: string) => {
  const got = await client.send(
    new BatchGetImageCommand({
      repositoryName,
      imageIds: [{ imageTag: "v1" }],
      acceptedMediaTypes: [OCI_MANIFEST],
    }),
  );
  expect(got.images?.[0]?.imageManifest).toBe(manifest);
};

const waitForSnapshot = async ({ pool, schema }: PostgresTestDatabase) => {
  for (const started = Date.now(); Date.now() - started < 15_000; ) {
    const { rows } = await pool.query(`select count(*)::int as n from "${schema}".snapshots`);
    if ((rows[0] as { n: number }).n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no state snapshot was saved within 15 s");
};

describe("the bundled berth CLI", () => {
  let dataDir = "";
  let postgres: PostgresTestDatabase;
  let moto: MotoS3;
  beforeAll(async () => {
    await buildEngine(["packages/server"]);
    await promisify(execFile)(process.execPath, [join(server, "scripts/bundle.mjs")]);
    dataDir = await mkdtemp(join(tmpdir(), "berth-bundle-"));
    [postgres, moto] = await Promise.all([acquirePostgres(), startMotoS3()]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([postgres?.release(), moto?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints its commands", async () => {
    const { stdout } = await promisify(execFile)(berth, ["--help"]);
    expect(stdout).toMatch(/serve/);
    expect(stdout).toMatch(/migrate-data/);
  });

  it("serves from the embedded storage (SQLite and files), in a Node started with its flags", async () => {
    const running = await startBerth(["--storage", "embedded", "--data-dir", join(dataDir, "embedded")]);
    try {
      await pushAndPull(running, "bundle/embedded");
      const commandLine = await running.commandLine();
      expect(commandLine.slice(1, 1 + BERTH_NODE_FLAGS.length)).toEqual(BERTH_NODE_FLAGS);
      expect(commandLine[1 + BERTH_NODE_FLAGS.length]).toBe(berth);
    } finally {
      await running.stop();
    }
  });

  it("serves from PostgreSQL with blobs on S3, and restarts from a state snapshot", async () => {
    const bucket = await moto.createBucket();
    const args = [
      ["--storage", "postgres", "--database-url", postgres.connectionString],
      ["--database-schema", postgres.schema, "--snapshot-every", "1"],
      ["--blobs", `s3://${bucket}`, "--s3-endpoint", moto.endpoint],
      ["--s3-access-key-id", "test", "--s3-secret-access-key", "test"],
    ].flat();
    const first = await startBerth(args);
    let manifest: string;
    try {
      await pushAndPull(first, "bundle/postgres");
      manifest = (
        await first.client.send(
          new BatchGetImageCommand({ repositoryName: "bundle/postgres", imageIds: [{ imageTag: "v1" }] }),
        )
      ).images?.[0]?.imageManifest as string;
      // The writer looks every second: wait for its snapshot (of the whole push) to be stored.
      await waitForSnapshot(postgres);
    } finally {
      await first.stop();
    }
    const second = await startBerth([...args, "--log-level", "info"]);
    try {
      await expectManifest(second.client, "bundle/postgres", manifest);
      expect(second.output()).toMatch(/restored the state snapshot/);
    } finally {
      await second.stop();
    }
  });
});
