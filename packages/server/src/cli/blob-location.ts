/**
 * `--blobs`: where `--storage postgres` keeps blob bytes (the events are always in PostgreSQL).
 *
 * - `file:DIR`: files under DIR (the default, DIR = `<data-dir>/blobs`)
 * - `s3://BUCKET[/PREFIX]`: objects in an S3 bucket, under PREFIX (see the `--s3-*` flags)
 * - `postgres`: bytea rows beside the events (one dependency, slower for large layers)
 */
import { join } from "node:path";
import { InvalidArgumentError } from "commander";

export type BlobLocation =
  | { readonly kind: "file"; readonly directory: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "postgres" };

export const BLOB_LOCATION_FORMS = "file:DIR, s3://BUCKET[/PREFIX] or postgres";

/** S3's bucket naming rules (the common subset): 3–63 lowercase letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The location `value` names, or a message saying what is wrong with it. */
export const parseBlobLocation = (value: string): BlobLocation | string => {
  if (value === "postgres") return { kind: "postgres" };
  if (value.startsWith("file:")) {
    const directory = value.slice("file:".length);
    return directory === ""
      ? "file: needs a directory, as in file:/var/lib/berth/blobs"
      : { kind: "file", directory };
  }
  if (value.startsWith("s3://")) {
    const [bucket = "", ...rest] = value.slice("s3://".length).split("/");
    if (!BUCKET.test(bucket))
      return `"${bucket}" is no S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`;
    return { kind: "s3", bucket, prefix: rest.filter((segment) => segment !== "").join("/") };
  }
  return `expected ${BLOB_LOCATION_FORMS}`;
};

/** commander's parser for `--blobs`: the value as given, once it is known to be valid. */
export const blobLocationFlag = (value: string): string => {
  const location = parseBlobLocation(value);
  if (typeof location === "string") throw new InvalidArgumentError(location);
  return value;
};

/** Where blobs go when `--blobs` is not given: files beside the data directory's other state. */
export const defaultBlobLocation = (dataDir: string): BlobLocation => ({
  kind: "file",
  directory: join(dataDir, "blobs"),
});
