import type { SnapshotStore, StoredSnapshot } from "@berth/engine";
import type { Kysely } from "kysely";
import type pg from "pg";
import { type BerthDatabase, DEFAULT_SCHEMA } from "./schema.js";
import { loadSnapshotByCopy } from "./snapshot-copy-load.js";

export interface PostgresSnapshotStoreOptions {
  /** Any Kysely on a Postgres dialect (PGlite's too); the store never closes it. */
  readonly db: Kysely<BerthDatabase>;
  /** The schema holding the tables (migrated with `migrateToLatest(db, schema)`); default "berth". */
  readonly schema?: string;
  /** Bytes per stored row (default 1 MiB). */
  readonly chunkSize?: number;
  /**
   * A pg Pool on the same database (PostgresStorage.pool): loads then read the chunks with COPY
   * (FORMAT binary), about five times faster than the hex text of a SELECT. Without it (PGlite),
   * loads SELECT the chunks through `db`.
   */
  readonly pool?: pg.Pool;
}

/** Rows per INSERT, and per SELECT when loading: a few MiB per statement. */
const ROWS_PER_STATEMENT = 4;

/**
 * A SnapshotStore in two tables: a snapshot's row, and its bytes in rows of about a chunk each, all
 * written in one transaction (a crash leaves the previous snapshot or the new one). Saving drops the
 * snapshots it supersedes; processes sharing the schema may race to save, and `load` reads the
 * highest position in one repeatable-read transaction, so a snapshot deleted meanwhile is still read whole.
 */
export const createPostgresSnapshotStore = (options: PostgresSnapshotStoreOptions): SnapshotStore => {
  const db = options.db.withSchema(options.schema ?? DEFAULT_SCHEMA);
  const chunkSize = options.chunkSize ?? 1024 * 1024;

  const selectLatest = (): Promise<StoredSnapshot | undefined> =>
    db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (trx) => {
        const row = await trx
          .selectFrom("snapshots")
          .select(["position", "size", "chunk_count"])
          .orderBy("position", "desc")
          .limit(1)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const chunks: Buffer[] = [];
        while (chunks.length < row.chunk_count) {
          const rows = await trx
            .selectFrom("snapshot_chunks")
            .select("bytes")
            .where("position", "=", row.position)
            .where("seq", ">=", chunks.length)
            .orderBy("seq")
            .limit(ROWS_PER_STATEMENT)
            .execute();
          if (rows.length === 0) break;
          for (const { bytes } of rows) chunks.push(bytes);
        }
        const state = Buffer.concat(chunks);
        if (chunks.length !== row.chunk_count || state.byteLength !== Number(row.size)) return undefined;
        return { position: BigInt(row.position), state };
      });

  const save = (position: bigint, state: Uint8Array): Promise<void> =>
    db.transaction().execute(async (trx) => {
      const kept = await trx
        .selectFrom("snapshots")
        .select((eb) => eb.fn.max("position").as("position"))
        .executeTakeFirst();
      if (kept?.position != null && BigInt(kept.position) >= position) return;
      const chunkCount = Math.ceil(state.byteLength / chunkSize);
      const inserted = await trx
        .insertInto("snapshots")
        .values({ position: position.toString(), size: state.byteLength, chunk_count: chunkCount })
        .onConflict((conflict) => conflict.column("position").doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 0n) return;
      for (let seq = 0; seq < chunkCount; seq += ROWS_PER_STATEMENT) {
        const rows = [];
        for (let i = seq; i < Math.min(seq + ROWS_PER_STATEMENT, chunkCount); i++)
          rows.push({
            position: position.toString(),
            seq: i,
            bytes: state.subarray(i * chunkSize, (i + 1) * chunkSize),
          });
        await trx.insertInto("snapshot_chunks").values(rows).execute();
      }
      await trx.deleteFrom("snapshots").where("position", "<", position.toString()).execute();
    });

  const { pool } = options;
  const load =
    pool === undefined ? selectLatest : () => loadSnapshotByCopy(pool, options.schema ?? DEFAULT_SCHEMA);
  return { load, save, close: async () => {} };
};
