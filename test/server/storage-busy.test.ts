import { CreateRepositoryCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { ociClient } from "../support/oci-client.js";
import type { PostgresTestDatabase } from "../support/postgres.js";

const ACQUIRE_TIMEOUT_MS = 300;
/** Generous: only a hang (no acquire timeout) or a wait for the lock to go fails it. */
const ANSWER_BOUND_MS = 5_000;

/**
 * A pool of one connection, held by a request the test blocks in PostgreSQL (a table lock): every
 * other request that needs a connection is answered "busy, retry" after the acquire timeout, in
 * each front end's shape, and the held request completes once the lock goes.
 */
describe("PostgreSQL pool exhausted: answered busy, never a hang", () => {
  let berth: RunningBerth;
  let locker: pg.Client;
  beforeAll(async () => {
    // Blobs in PostgreSQL: the held request is a blob-store insert into `uploads`.
    berth = await startBerth({
      storage: "postgres",
      blobs: "postgres",
      dbPoolSize: 1,
      dbAcquireTimeout: ACQUIRE_TIMEOUT_MS,
    });
    await berth.client().send(new CreateRepositoryCommand({ repositoryName: "busy" }));
    locker = new pg.Client({ connectionString: berth.database?.connectionString });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await berth?.stop();
  });

  /** Waits until a server connection waits for a lock on `table` (the held request is in place). */
  const blockedOn = async (table: string) => {
    for (let tries = 0; tries < 200; tries++) {
      // Asked on another connection: inside the locker's transaction the view would stay a snapshot.
      const { rows } = await (berth.database as PostgresTestDatabase).pool.query(
        "select 1 from pg_locks where not granted and relation = to_regclass($1)",
        [`"${berth.database?.schema ?? ""}"."${table}"`],
      );
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no server query ever waited for the lock on ${table}`);
  };

  it("answers /v2 with 503 UNAVAILABLE and Retry-After, ECR with ServerException, then serves again", async () => {
    const schema = berth.database?.schema ?? "";
    const oci = ociClient(berth.endpoint);
    await locker.query("begin");
    await locker.query(`lock table "${schema}"."uploads" in access exclusive mode`);
    // Starting an upload inserts into `uploads` (with its event, in one call): it waits for the lock
    // on the pool's one connection.
    const held = oci.request("/v2/busy/blobs/uploads/", { method: "POST" });
    try {
      await blockedOn("uploads");

      let started = Date.now();
      const tags = await oci.request("/v2/busy/tags/list");
      expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
      expect(tags.status).toBe(503);
      expect(tags.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      expect(await tags.json()).toMatchObject({ errors: [{ code: "UNAVAILABLE" }] });

      started = Date.now();
      const described = await berth
        .client()
        .send(new DescribeRepositoriesCommand({}))
        .catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
      expect(described).toMatchObject({
        name: "ServerException",
        message: expect.stringMatching(/storage is busy/),
        $metadata: { httpStatusCode: 500 },
      });
    } finally {
      await locker.query("rollback");
    }
    expect((await held).status).toBe(202);
    expect((await oci.request("/v2/busy/tags/list")).status).toBe(200);
    expect((await berth.client().send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
  });
});
