/**
 * A fresh Berth process for the scale section (forked by scale-bench.ts, run with --expose-gc):
 * opens the PostgreSQL stores in BENCH_SCHEMA, createRegistry with the schema's snapshot store (a
 * state snapshot there is where it starts; none: it folds the whole log), serves the ECR and /v2
 * APIs on 127.0.0.1, catches up and compacts the heap as `berth serve` does (`compactHeap` above
 * its threshold), then reports over IPC `{ port, timings, memory }` with memory
 * measured after a full garbage collection. Then it answers the parent's messages: "memory" (again,
 * after the parent's GETs), "snapshot" (saveSnapshot, reporting what it wrote); it stops when the
 * parent disconnects.
 */
import { once } from "node:events";

const since = () => performance.now(); // milliseconds since this process started
const gc = (globalThis as { gc?: () => void }).gc;

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const memory = () => {
  gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers, gc: gc !== undefined };
};

const schema = env("BENCH_SCHEMA");
const [
  { createPostgresSnapshotStore, createPostgresStorage },
  { createRegistry },
  { compactHeap, createBerthServer, SERVE_COMPACTION_THRESHOLD },
] = await Promise.all([import("@berth/adapter-postgres"), import("@berth/engine"), import("@berth/server")]);
const { quietLogger } = await import("./postgres-file-server.js");
const imported = since();
const storage = await createPostgresStorage({ connectionString: env("BENCH_DATABASE_URL"), schema });
const opened = since();
const reports: Array<Record<string, unknown>> = [];
const registry = createRegistry({
  events: storage.events,
  blobs: storage.blobs,
  snapshots: {
    store: createPostgresSnapshotStore({ db: storage.db, pool: storage.pool, schema }),
    everyEvents: 0,
    onReport: (report: { type: string; position?: bigint }) =>
      reports.push({ ...report, position: String(report.position) }),
  },
});
const server = createBerthServer({
  registry,
  logger: quietLogger,
  credentials: new Map(),
  defaultAccountId: "000000000000" as never,
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
await registry.catchUp();
const caughtUp = since();
const compaction = compactHeap(SERVE_COMPACTION_THRESHOLD);
const compacted = since();
const address = server.address();
process.send?.({
  port: typeof address === "object" && address !== null ? address.port : 0,
  timings: {
    importMs: imported,
    openStorageMs: opened - imported,
    catchUpMs: caughtUp - opened,
    compactionMs: compaction === undefined ? 0 : compacted - caughtUp,
    readyMs: compacted,
  },
  memory: memory(),
  snapshot: reports.slice(),
});

process.on("message", (message: string) => {
  if (message === "memory") process.send?.({ memory: memory() });
  if (message === "snapshot") {
    const started = since();
    void registry.saveSnapshot().then(
      () => process.send?.({ saveMs: since() - started, snapshot: reports.at(-1) ?? {} }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  }
});
process.on("disconnect", () => {
  server.closeAllConnections();
  server.close();
  void storage.close().then(() => process.exit(0));
});
