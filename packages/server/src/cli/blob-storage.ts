/** Opening the blob store `--blobs` names beside PostgreSQL events: files or S3. */
import { resolve } from "node:path";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { checkBucket, createS3BlobStore, createS3Client } from "@berth/adapter-s3";
import type { BlobStore } from "@berth/engine";
import type { BlobLocation } from "./blob-location.js";

/** How `--blobs s3://…` reaches its bucket (the `--s3-*` flags). */
export interface S3Options {
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

const credentialsOf = (s3: S3Options) => {
  const { accessKeyId, secretAccessKey } = s3;
  if (accessKeyId === undefined && secretAccessKey === undefined) return {}; // the SDK's chain
  if (accessKeyId === undefined || secretAccessKey === undefined)
    throw new Error("--s3-access-key-id and --s3-secret-access-key go together: give both or neither");
  return { credentials: { accessKeyId, secretAccessKey } };
};

export const openBlobStore = async (
  location: Exclude<BlobLocation, { kind: "postgres" }>,
  s3: S3Options,
): Promise<{ readonly store: BlobStore; readonly description: string }> => {
  if (location.kind === "file") {
    const directory = resolve(location.directory);
    return { store: createFilesystemBlobStore({ directory }), description: `files in ${directory}` };
  }
  const client = createS3Client({
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.region === undefined ? {} : { region: s3.region }),
    ...credentialsOf(s3),
  });
  try {
    await checkBucket(client, location.bucket);
  } catch (error) {
    client.destroy();
    throw error;
  }
  const store = createS3BlobStore({ client, bucket: location.bucket, prefix: location.prefix });
  const where = `s3://${location.bucket}/${location.prefix}`;
  return {
    store: {
      ...store,
      async close() {
        await store.close();
        client.destroy();
      },
    },
    description: s3.endpoint === undefined ? where : `${where} at ${s3.endpoint}`,
  };
};
