/** What an S3 error means to the store, read from its HTTP status (names differ between servers). */
const statusOf = (error: unknown): number | undefined => {
  if (typeof error !== "object" || error === null || !("$metadata" in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
};

/** NoSuchKey (GET), NotFound (HEAD). */
export const isMissingObject = (error: unknown): boolean => statusOf(error) === 404;

/**
 * A conditional write lost: 412 PreconditionFailed, or 409 ConditionalRequestConflict when AWS
 * was still writing the same key for someone else.
 */
export const isLostCondition = (error: unknown): boolean => {
  const status = statusOf(error);
  return status === 412 || status === 409;
};

/** 416 InvalidRange: the range starts past the object's end. */
export const isUnsatisfiableRange = (error: unknown): boolean => statusOf(error) === 416;

/** Ignores a missing object (deleting or reading what someone else already removed). */
export const ignoreMissingObject = (error: unknown): undefined => {
  if (isMissingObject(error)) return undefined;
  throw error;
};
