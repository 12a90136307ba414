/** The flags that say where `--storage postgres` keeps blobs, and how S3 is reached. */
import { type Command, InvalidArgumentError, Option } from "commander";
import { BLOB_LOCATION_FORMS, blobLocationFlag, parseBlobLocation } from "./blob-location.js";
import type { StorageOptions } from "./storage.js";

export interface BlobFlags {
  /** `file:DIR`, `s3://BUCKET[/PREFIX]` or `postgres` (default `file:<data-dir>/blobs`). */
  readonly blobs?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3AccessKeyId?: string;
  readonly s3SecretAccessKey?: string;
}

/** What `openStorage` needs of the blob flags. */
export const blobOptionsOf = (flags: BlobFlags): Pick<StorageOptions, "blobs" | "s3"> => {
  const location = flags.blobs === undefined ? undefined : parseBlobLocation(flags.blobs);
  if (typeof location === "string") throw new Error(`--blobs ${flags.blobs}: ${location}`);
  const s3 = {
    ...(flags.s3Endpoint === undefined ? {} : { endpoint: flags.s3Endpoint }),
    ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
    ...(flags.s3AccessKeyId === undefined ? {} : { accessKeyId: flags.s3AccessKeyId }),
    ...(flags.s3SecretAccessKey === undefined ? {} : { secretAccessKey: flags.s3SecretAccessKey }),
  };
  return { ...(location === undefined ? {} : { blobs: location }), s3 };
};

const url = (value: string) => {
  try {
    return new URL(value).toString().replace(/\/$/, "");
  } catch {
    throw new InvalidArgumentError("expected a URL such as http://127.0.0.1:9000");
  }
};

export const addBlobOptions = (command: Command): Command =>
  command
    .addOption(
      new Option("--blobs <location>", `where --storage postgres keeps blobs: ${BLOB_LOCATION_FORMS}`)
        .env("BERTH_BLOBS")
        .argParser(blobLocationFlag),
    )
    .addOption(
      new Option("--s3-endpoint <url>", "S3-compatible server for --blobs s3://… (default: AWS)")
        .env("BERTH_S3_ENDPOINT")
        .argParser(url),
    )
    .addOption(
      new Option("--s3-region <region>", "S3 region (default: AWS_REGION, else us-east-1)").env(
        "BERTH_S3_REGION",
      ),
    )
    .addOption(
      new Option("--s3-access-key-id <id>", "S3 access key (default: the AWS SDK's credential chain)").env(
        "BERTH_S3_ACCESS_KEY_ID",
      ),
    )
    .addOption(
      new Option("--s3-secret-access-key <secret>", "S3 secret key, with --s3-access-key-id").env(
        "BERTH_S3_SECRET_ACCESS_KEY",
      ),
    );
