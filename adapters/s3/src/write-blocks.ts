import type { Hash } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { byteSource } from "@berth/engine";
import type { Bucket } from "./bucket.js";
import type { UploadKeys } from "./s3-layout.js";

export interface BlockWrite {
  readonly bucket: Bucket;
  readonly keys: UploadKeys;
  readonly blockSize: number;
  readonly attemptId: string;
  /** Where the append starts: the upload's size. */
  readonly offset: number;
  /** The bytes of the upload's last block before `offset` (empty when `offset` starts a block). */
  readonly head: Uint8Array;
  /** The running hash at `offset`: the new bytes are added to it as they arrive. */
  readonly hash: Hash;
  /** Every key written (or being written) is pushed here, so that a failed append can delete them. */
  readonly written: string[];
}

/**
 * Streams an append into block objects of the attempt's own (`data/<attempt>/<block>`), each PUT
 * once full (or at the end of the stream) with its length known. At most one block is buffered and
 * one more in flight, so an append holds at most two blocks in memory whatever its length. Resolves
 * to the upload's size after the append once every block is stored; nothing is written for an
 * append without bytes.
 */
export const writeBlocks = async (
  write: BlockWrite,
  chunk: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<number> => {
  const { bucket, keys, blockSize, attemptId, hash, written } = write;
  let block = Math.floor(write.offset / blockSize);
  let pending: Uint8Array[] = write.head.byteLength > 0 ? [write.head] : [];
  let pendingBytes = write.head.byteLength;
  let inFlight: Promise<unknown> = Promise.resolve();

  const put = async () => {
    await inFlight; // the previous block is stored (or its failure surfaces) before the next goes
    const key = keys.blockKey(attemptId, block);
    written.push(key);
    const body = Buffer.concat(pending, pendingBytes);
    inFlight = bucket.s3.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: key,
        Body: body,
        ContentLength: body.byteLength,
        ContentType: "application/octet-stream",
      }),
    );
    inFlight.catch(() => {}); // observed by the next put or at the end; never unhandled
    block += 1;
    pending = [];
    pendingBytes = 0;
  };

  let end = write.offset;
  try {
    for await (const piece of byteSource(chunk)) {
      hash.update(piece);
      end += piece.byteLength;
      let rest = piece;
      while (rest.byteLength > 0) {
        const taken = rest.subarray(0, blockSize - pendingBytes);
        pending.push(taken);
        pendingBytes += taken.byteLength;
        rest = rest.subarray(taken.byteLength);
        if (pendingBytes === blockSize) await put();
      }
    }
    if (end > write.offset && pendingBytes > 0) await put();
  } finally {
    // Settled before the caller cleans up, so no PUT lands after its objects were deleted.
    await inFlight.catch(() => {});
  }
  await inFlight;
  return end;
};
