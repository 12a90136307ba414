import { createHash, type Hash } from "node:crypto";
import type { Kysely } from "kysely";
import { adoptedChunks } from "./adopted-chunks.js";
import type { BerthDatabase } from "./schema.js";

/**
 * The running sha256 of each upload, kept in process memory so that an append hashes only its own
 * bytes. An entry holds for exactly the size it was taken at. Uploads only grow, so a missing entry
 * or another size means this process restarted or another process appended since: the hash is then
 * rebuilt once by reading the stored chunks in order (call it inside the transaction that holds the
 * upload, or in a snapshot, or knowing that `size` was the upload's size: adopted chunks below a size
 * the upload had never change until it is finished or aborted).
 *
 * An entry nobody used for `idleMs` is dropped: the upload may have been completed, aborted or
 * expired through another process, which this one never hears of (and if not, the hash is rebuilt).
 */
export interface RunningHashes {
  /** A private copy of the hash over the upload's first `size` bytes. */
  hashAt(db: Kysely<BerthDatabase>, uploadId: string, size: number): Promise<Hash>;
  /** A private copy of the hash over the first `size` bytes if this process holds it; never reads. */
  peek(uploadId: string, size: number): Hash | undefined;
  /** The size this process last hashed the upload at, if it holds one: another may have appended since. */
  latestSize(uploadId: string): number | undefined;
  /** Takes ownership of `hash`, the hash over the upload's first `size` bytes. */
  remember(uploadId: string, size: number, hash: Hash): void;
  forget(uploadId: string): void;
  /** How many uploads have a hash here. */
  readonly size: number;
}

/** Ten minutes: parts of one upload rarely arrive further apart, and a rebuild reads it once. */
export const DEFAULT_IDLE_MS = 10 * 60 * 1000;

const rehash = async (
  db: Kysely<BerthDatabase>,
  uploadId: string,
  size: number,
  batchRows: number,
): Promise<Hash> => {
  const hash = createHash("sha256");
  let next = 0;
  while (next < size) {
    const rows = await adoptedChunks(db, uploadId)
      .select(["byte_offset", "bytes"])
      .where("byte_offset", ">=", String(next))
      .where("byte_offset", "<", String(size))
      .orderBy("byte_offset")
      .limit(batchRows)
      .execute();
    if (rows.length === 0)
      throw new Error(`Upload ${uploadId} has ${size} bytes but its stored chunks end at ${next}`);
    for (const row of rows) {
      if (Number(row.byte_offset) !== next)
        throw new Error(`Upload ${uploadId} has no stored chunk at ${next}`);
      hash.update(row.bytes);
      next += row.bytes.byteLength;
    }
  }
  return hash;
};

export const createRunningHashes = (
  batchRows: number,
  idleMs = DEFAULT_IDLE_MS,
  clock: () => number = Date.now,
): RunningHashes => {
  const hashes = new Map<string, { readonly size: number; readonly hash: Hash; usedAt: number }>();
  let prunedAt = clock();

  /** Drops idle entries, at most once per tenth of `idleMs`: O(1) amortized per call. */
  const prune = () => {
    const now = clock();
    if (now - prunedAt < idleMs / 10) return;
    prunedAt = now;
    for (const [uploadId, entry] of hashes) if (now - entry.usedAt >= idleMs) hashes.delete(uploadId);
  };

  const remember = (uploadId: string, size: number, hash: Hash): void => {
    prune();
    const known = hashes.get(uploadId);
    if (known === undefined || known.size < size) hashes.set(uploadId, { size, hash, usedAt: clock() });
  };

  return {
    async hashAt(db, uploadId, size) {
      const known = hashes.get(uploadId);
      if (known !== undefined) known.usedAt = clock();
      if (known?.size === size) return known.hash.copy();
      const hash = await rehash(db, uploadId, size, batchRows);
      remember(uploadId, size, hash);
      return hash.copy();
    },
    peek(uploadId, size) {
      const known = hashes.get(uploadId);
      if (known?.size !== size) return undefined;
      known.usedAt = clock();
      return known.hash.copy();
    },
    latestSize: (uploadId) => hashes.get(uploadId)?.size,
    remember,
    forget: (uploadId) => {
      hashes.delete(uploadId);
    },
    get size() {
      return hashes.size;
    },
  };
};
