/**
 * AWS JSON 1.1 wire details of ECR: timestamps travel as epoch seconds (numbers), blobs as base64.
 * Berth keeps epoch milliseconds inside; these convert at the edge.
 */
export const epochSeconds = (milliseconds: number): number => milliseconds / 1000;

/** Copies `value` with the named timestamp members turned from milliseconds into epoch seconds. */
export const withEpochSeconds = <T extends object>(value: T, members: ReadonlyArray<keyof T & string>): T => {
  const copy = { ...value } as Record<string, unknown>;
  for (const member of members) {
    const ms = copy[member];
    if (typeof ms === "number") copy[member] = epochSeconds(ms);
  }
  return copy as T;
};

export const ECR_TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
export const ECR_CONTENT_TYPE = "application/x-amz-json-1.1";
