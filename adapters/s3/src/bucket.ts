import { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ignoreMissingObject } from "./s3-errors.js";

/** The bucket a store works in, and the client that reaches it. */
export interface Bucket {
  readonly s3: S3Client;
  readonly name: string;
}

/** Every key under `prefix`, in S3's (lexical) order, a page at a time. */
export async function* listKeys(bucket: Bucket, prefix: string): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await bucket.s3.send(
      new ListObjectsV2Command({
        Bucket: bucket.name,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Deletes the keys, a thousand per request (S3's limit); missing keys are no error. */
export const deleteKeys = async (bucket: Bucket, keys: ReadonlyArray<string>): Promise<void> => {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const answer = await bucket.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket.name,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = answer.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `Deleting ${failed.length} object(s) failed: ${first?.Key} ${first?.Code} ${first?.Message}`,
      );
    }
  }
};

/** Deletes every object under `prefix`. */
export const deletePrefix = async (bucket: Bucket, prefix: string): Promise<void> => {
  const keys: string[] = [];
  for await (const key of listKeys(bucket, prefix)) keys.push(key);
  await deleteKeys(bucket, keys);
};

/** The object's size, or undefined when it does not exist. */
export const objectSize = async (bucket: Bucket, key: string): Promise<number | undefined> => {
  const head = await bucket.s3
    .send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }))
    .catch(ignoreMissingObject);
  return head === undefined ? undefined : (head.ContentLength ?? 0);
};

/** The body of a GetObject answer as the Node stream it is. */
export const bodyStream = (answer: GetObjectCommandOutput): Readable => {
  const body = answer.Body;
  if (body instanceof Readable) return body;
  throw new Error("The S3 client answered a body that is not a Node stream");
};

/** A whole small object (a commit, a partial block), or the inclusive `range` of it. */
export const getBytes = async (
  bucket: Bucket,
  key: string,
  range?: { readonly start: number; readonly end: number },
): Promise<Buffer> => {
  const answer = await bucket.s3.send(
    new GetObjectCommand({
      Bucket: bucket.name,
      Key: key,
      ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
    }),
  );
  const pieces: Buffer[] = [];
  for await (const piece of bodyStream(answer)) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
};
