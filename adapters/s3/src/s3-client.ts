import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";

/** How to reach S3 (or an S3-compatible server such as MinIO or moto). */
export interface S3Connection {
  /** An S3-compatible server's URL; addressed path-style (`<endpoint>/<bucket>/<key>`). Default: AWS. */
  readonly endpoint?: string;
  /** Default: the SDK's (AWS_REGION, the profile), else us-east-1. */
  readonly region?: string;
  /** Default: the SDK's credential chain (AWS_ACCESS_KEY_ID…, profiles, instance and task roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const createS3Client = (connection: S3Connection): S3Client =>
  new S3Client({
    region: connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint, forcePathStyle: true }),
    ...(connection.credentials === undefined ? {} : { credentials: { ...connection.credentials } }),
  });

/** Fails with a plain message when the bucket cannot be reached (missing, forbidden, no server). */
export const checkBucket = async (client: S3Client, bucket: string): Promise<void> => {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const why =
      status === 404
        ? "it does not exist"
        : status === 403
          ? "access is denied (check the credentials)"
          : error instanceof Error
            ? error.message
            : String(error);
    throw new Error(`S3 bucket ${bucket} cannot be used: ${why}`, { cause: error });
  }
};
