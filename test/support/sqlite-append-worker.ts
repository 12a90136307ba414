/**
 * A process that appends to a SQLite event store until it is killed (run by startWorker): three
 * events per append, round-robin over four streams at their expected versions, and one JSON line
 * per acknowledged append. Env: SQLITE_PATH.
 */
import { openSqliteEventStore } from "@berth/adapter-sqlite";

const path = process.env.SQLITE_PATH;
if (path === undefined) throw new Error("SQLITE_PATH is not set");
// As --storage embedded opens it.
const store = await openSqliteEventStore({ path, exclusive: true });
const streams = ["a", "b", "c", "d"].map((name) => `crash-${name}`);
const versions = await Promise.all(streams.map((stream) => store.streamVersion(stream)));
console.log(JSON.stringify({ type: "ready" }));
for (let n = 0; ; n++) {
  const i = n % streams.length;
  const stream = streams[i]!;
  const events = [0, 1, 2].map((k) => ({ type: "Appended", data: { n, k, padding: "x".repeat(500) } }));
  const appended = await store.appendToStream(stream, events, versions[i]!);
  versions[i] = appended.nextExpectedStreamVersion;
  console.log(
    JSON.stringify({
      type: "ack",
      n,
      stream,
      version: appended.nextExpectedStreamVersion,
      last: String(appended.lastGlobalPosition),
    }),
  );
}
