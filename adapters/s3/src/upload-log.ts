import { PutObjectCommand } from "@aws-sdk/client-s3";
import { UploadUnknownError } from "@berth/engine";
import { type Bucket, getBytes, listKeys } from "./bucket.js";
import { isLostCondition } from "./s3-errors.js";
import type { UploadKeys } from "./s3-layout.js";

/** One accepted append: the bytes [start, end) the attempt `attempt` wrote. */
export interface Commit {
  readonly start: number;
  readonly end: number;
  readonly attempt: string;
}

/** The size an upload has after `commits`. */
export const sizeAfter = (commits: ReadonlyArray<Commit>): number => commits.at(-1)?.end ?? 0;

/**
 * Creates the object at `key` unless it exists (`If-None-Match: *`): true when this call created it.
 * S3 makes the check and the write one step, so of any number of callers exactly one creates it.
 */
export const createOnce = async (bucket: Bucket, key: string, body: string): Promise<boolean> => {
  try {
    await bucket.s3.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: key,
        Body: body,
        ContentType: "application/json",
        IfNoneMatch: "*",
      }),
    );
    return true;
  } catch (error) {
    if (isLostCondition(error)) return false;
    throw error;
  }
};

/** Commits an append at its start offset; false when another append committed there first. */
export const writeCommit = (bucket: Bucket, keys: UploadKeys, commit: Commit): Promise<boolean> =>
  createOnce(bucket, keys.commitKey(commit.start), JSON.stringify(commit));

const readCommit = async (bucket: Bucket, keys: UploadKeys, start: number): Promise<Commit> => {
  const body = JSON.parse(
    (await getBytes(bucket, keys.commitKey(start))).toString("utf8"),
  ) as Partial<Commit>;
  const { end, attempt } = body;
  if (body.start !== start || typeof end !== "number" || typeof attempt !== "string" || end <= start) {
    throw new Error(`The commit at ${keys.commitKey(start)} is malformed`);
  }
  return { start, end, attempt };
};

/** Commit objects are fetched this many at a time when a process sees an upload for the first time. */
const PARALLEL_READS = 8;

/**
 * The upload's commits in order, from one listing of its log; commits in `known` (a list this
 * process read before) are not read again, as a commit never changes once written. Throws
 * UploadUnknownError when the upload's `open` marker is gone (never created, aborted, finished).
 */
export const readCommits = async (
  bucket: Bucket,
  keys: UploadKeys,
  uploadId: string,
  known: ReadonlyArray<Commit>,
): Promise<Commit[]> => {
  const starts: number[] = [];
  let open = false;
  for await (const key of listKeys(bucket, keys.logPrefix)) {
    if (key === keys.openKey) open = true;
    const start = keys.commitStart(key);
    if (start !== undefined) starts.push(start);
  }
  if (!open) throw new UploadUnknownError(uploadId);
  const commits: Commit[] = [];
  for (let index = 0; index < starts.length; index += PARALLEL_READS) {
    const batch = starts.slice(index, index + PARALLEL_READS).map((start, offset) => {
      const seen = known[index + offset];
      return seen?.start === start ? seen : readCommit(bucket, keys, start);
    });
    commits.push(...(await Promise.all(batch)));
  }
  let size = 0;
  for (const commit of commits) {
    // Each commit was created at the size its writer saw, and only the first at a size wins.
    if (commit.start !== size) throw new Error(`Upload ${uploadId} has no commit at byte ${size}`);
    size = commit.end;
  }
  return commits;
};
