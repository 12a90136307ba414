import type { StoredSnapshot } from "@berth/engine";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { readCopiedColumn } from "./copy-binary.js";

/**
 * The newest snapshot, read on one connection of `pool` in one repeatable-read transaction (a
 * snapshot deleted meanwhile is still read whole), its chunks as COPY … (FORMAT binary): raw bytes,
 * not the hex text a SELECT of bytea returns. Undefined when there is none, or when its rows do not
 * add up to what its row says (a torn write never happens; this is a check, not a repair).
 */
export const loadSnapshotByCopy = async (
  pool: pg.Pool,
  schema: string,
): Promise<StoredSnapshot | undefined> => {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    const table = (name: string) => `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
    await client.query("begin isolation level repeatable read read only");
    const { rows } = await client.query<{ position: string; size: string; chunk_count: number }>(
      `select position::text, size::text, chunk_count from ${table("snapshots")} order by position desc limit 1`,
    );
    const row = rows[0];
    if (row === undefined) {
      await client.query("commit");
      return undefined;
    }
    // COPY takes no parameters: the position is spelled out, and it is digits only.
    if (!/^[0-9]+$/.test(row.position))
      throw new Error(`a snapshot position that is not a number: ${row.position}`);
    const copy = client.query(
      copyTo(
        `copy (select bytes from ${table("snapshot_chunks")} where position = ${row.position} order by seq) to stdout (format binary)`,
      ),
    );
    const { pieces, rows: chunkCount } = await readCopiedColumn(copy);
    await client.query("commit");
    const state = Buffer.concat(pieces);
    if (chunkCount !== row.chunk_count || state.byteLength !== Number(row.size)) return undefined;
    return { position: BigInt(row.position), state };
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-copy is in no state to be reused: the pool drops it.
    client.release(failed);
  }
};
