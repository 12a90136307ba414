import type { StoredSnapshot } from "@berth/engine";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { copiedColumn } from "./copy-binary.js";

interface SnapshotRow {
  readonly position: string;
  readonly size: string;
  readonly chunk_count: number;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const NOT_WHOLE = "was deleted while it was read (a newer one was saved), or is not whole";

/**
 * The newest snapshot: its row read now, its chunks when the caller reads the bytes, as COPY …
 * (FORMAT binary) (raw bytes, not the hex text a SELECT of bytea returns), streamed to the caller
 * as they arrive, so the engine decodes while they come. Nothing is held until then: a connection
 * is taken when the bytes are first asked for, and given back at their end or when the stream is
 * closed. A newer snapshot saved in between deletes this one: its stream then ends with an error
 * (the engine folds the log instead), a race of a millisecond against saves minutes apart.
 */
export const loadSnapshotByCopy = async (
  pool: pg.Pool,
  schema: string,
): Promise<StoredSnapshot | undefined> => {
  const table = (name: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
  const { rows } = await pool.query<SnapshotRow>(
    `select position::text, size::text, chunk_count from ${table("snapshots")} order by position desc limit 1`,
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  // COPY takes no parameters: the position is spelled out, and it is digits only.
  if (!/^[0-9]+$/.test(row.position))
    throw new Error(`a snapshot position that is not a number: ${row.position}`);
  const sql = `copy (select bytes from ${table("snapshot_chunks")} where position = ${row.position} order by seq) to stdout (format binary)`;
  return {
    position: BigInt(row.position),
    state: { [Symbol.asyncIterator]: () => streamed(pool, sql, row) },
  };
};

/**
 * The copy's bytes; at their end, checks they add up to the snapshot's row and releases the
 * connection. Closed early, it reads the rest and drops it: a connection cut mid-copy is unusable,
 * and one ended while the server still sends would keep its statement running.
 */
const streamed = (pool: pg.Pool, sql: string, row: SnapshotRow): AsyncIterator<Uint8Array> => {
  let started: Promise<{ client: pg.PoolClient; column: AsyncGenerator<Buffer, number> }> | undefined;
  const start = async () => {
    const client = await pool.connect();
    const copy = client.query(copyTo(sql));
    copy.on("error", () => {}); // surfaced by the iteration; this only keeps a late one handled
    return { client, column: copiedColumn(copy) };
  };
  let bytes = 0;
  let over = false;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (over) return { done: true, value: undefined };
    started ??= start();
    const { client, column } = await started;
    try {
      const piece = await column.next();
      if (piece.done !== true) {
        bytes += piece.value.byteLength;
        return { done: false, value: piece.value };
      }
      over = true;
      if (piece.value !== row.chunk_count || bytes !== Number(row.size))
        throw new Error(`the snapshot at ${row.position} ${NOT_WHOLE}: ${bytes} of ${row.size} bytes`);
      client.release();
      return { done: true, value: undefined };
    } catch (error) {
      if (!over)
        client.release(asError(error)); // cut mid-copy: the pool drops the connection
      else client.release();
      over = true;
      throw error;
    }
  };
  const close = async (): Promise<IteratorResult<Uint8Array>> => {
    if (started === undefined) over = true; // never asked for: nothing taken
    try {
      for (let result = await next(); result.done !== true; result = await next());
    } catch {
      // Released by `next` already; whoever closed the stream has stopped listening.
    }
    return { done: true, value: undefined };
  };
  return { next, return: close };
};
