export {
  createS3BlobStore,
  DEFAULT_BLOCK_SIZE,
  S3_MIN_PART_SIZE,
  type S3BlobStoreOptions,
} from "./s3-blob-store.js";
export { checkBucket, createS3Client, type S3Connection } from "./s3-client.js";
