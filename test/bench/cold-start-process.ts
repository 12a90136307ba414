/**
 * A fresh process that opens existing PostgreSQL stores and runs one command, as `berth serve` does
 * after a restart: modules load, storage opens (migrations are checked), createRegistry, then the
 * first PutImage catches up on the whole log before it decides. Prints its timings as one JSON line.
 * With `raw`: reads the same rows with pg alone instead (the limit), also from a fresh process. With
 * `snapshot-write`: folds the log and saves a state snapshot (printing what that cost); with
 * `snapshot`: starts from that snapshot, folding only the events after it.
 * Started by cold-start-bench.ts with BENCH_DATABASE_URL, BENCH_SCHEMA, BENCH_REPOSITORY, BENCH_MANIFEST.
 */
const since = () => performance.now(); // milliseconds since this process started

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const schema = env("BENCH_SCHEMA");
const url = env("BENCH_DATABASE_URL");

if (process.argv[2] === "raw") {
  // The limit: the same rows read with pg alone, in the 1,000-row keyset pages the catch-up reads.
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = since();
  let rows = 0;
  for (let after = "0"; ; ) {
    const page = await client.query(
      `select * from "${schema}".events where global_position > $1 order by global_position limit 1000`,
      [after],
    );
    if (page.rows.length === 0) break;
    rows += page.rows.length;
    after = page.rows.at(-1).global_position;
  }
  const readMs = since() - started;
  await client.end();
  process.stdout.write(`${JSON.stringify({ readMs, rows })}\n`);
} else {
  // "snapshot-write": fold the whole log and save a snapshot; "snapshot": start from it.
  const mode = process.argv[2];
  const started = since();
  const [{ createPostgresSnapshotStore, createPostgresStorage }, { createRegistry }] = await Promise.all([
    import("@berth/adapter-postgres"),
    import("@berth/engine"),
  ]);
  const imported = since();
  const storage = await createPostgresStorage({ connectionString: url, schema });
  const opened = since();
  const reports: Array<Record<string, unknown>> = [];
  const snapshots =
    mode === undefined
      ? {}
      : {
          snapshots: {
            store: createPostgresSnapshotStore({ db: storage.db, pool: storage.pool, schema }),
            everyEvents: 0,
            onReport: (report: { type: string; position?: bigint }) =>
              reports.push({ ...report, position: String(report.position) }),
          },
        };
  const registry = createRegistry({ events: storage.events, blobs: storage.blobs, ...snapshots });
  if (mode === "snapshot-write") {
    await registry.catchUp();
    const folded = since();
    await registry.saveSnapshot();
    await storage.close();
    process.stdout.write(`${JSON.stringify({ foldMs: folded - opened, ...reports.at(-1) })}\n`);
    process.exit(0);
  }
  const repositoryName = env("BENCH_REPOSITORY") as never;
  const manifest = env("BENCH_MANIFEST");
  const put = async (tag: string) => {
    const answer = await registry.putImage({
      repositoryName,
      imageManifest: manifest.replace("@REVISION@", tag),
      imageTag: tag as never,
    });
    if (answer._tag === "Left") throw new Error(`PutImage: ${answer.left._tag}: ${answer.left.message}`);
  };
  const created = since();
  await put(`cold-1-${mode ?? "log"}`);
  const first = since();
  await put(`cold-2-${mode ?? "log"}`);
  const second = since();
  await storage.close();
  process.stdout.write(
    `${JSON.stringify({
      processStartToFirstCommandMs: first,
      createRegistryToFirstCommandMs: first - created,
      bootMs: started,
      importMs: imported - started,
      openStorageMs: opened - imported,
      secondCommandMs: second - first,
      memoryMiB: Math.round(process.memoryUsage().rss / 1024 / 1024),
      snapshot: reports,
    })}\n`,
  );
}
