import { type Bucket, getBytes } from "./bucket.js";
import type { UploadKeys } from "./s3-layout.js";
import { type Commit, sizeAfter } from "./upload-log.js";

/**
 * The upload's bytes are cut into blocks of `blockSize` at fixed offsets (block k holds bytes
 * [k·blockSize, (k+1)·blockSize)). An append writes every block it touches as a whole object of its
 * own, the part of its first block that was already there included, so each block lives in one
 * object: the one of the last commit that touched it. Every block but the last is full, which is
 * what makes them an S3 multipart upload's parts when the upload finishes.
 */
export const blockCount = (size: number, blockSize: number): number => Math.ceil(size / blockSize);

/** For each block of the upload, the key of the object that holds it now. */
export const blockKeys = (keys: UploadKeys, commits: ReadonlyArray<Commit>, blockSize: number): string[] => {
  const holders: string[] = [];
  for (const { start, end, attempt } of commits) {
    for (let block = Math.floor(start / blockSize); block * blockSize < end; block += 1) {
      holders[block] = keys.blockKey(attempt, block);
    }
  }
  if (holders.length !== blockCount(sizeAfter(commits), blockSize))
    throw new Error(`The commits of ${keys.prefix} leave blocks without bytes`);
  return holders;
};

/** The bytes [from, to) of the upload, read block by block with ranged GETs. */
export async function* readUploadBytes(
  bucket: Bucket,
  holders: ReadonlyArray<string>,
  blockSize: number,
  from: number,
  to: number,
): AsyncGenerator<Buffer> {
  for (let block = Math.floor(from / blockSize); block * blockSize < to; block += 1) {
    const key = holders[block];
    if (key === undefined) throw new Error(`No object holds block ${block}`);
    const base = block * blockSize;
    const start = Math.max(from, base) - base;
    const end = Math.min(to, base + blockSize) - 1 - base;
    yield await getBytes(bucket, key, { start, end });
  }
}
