/** Bytes and digests for tests: deterministic content and its sha256. */
// One sha256 for all tests: the testkit's, under the short name these suites use.
export { sha256Digest as sha256 } from "@berth/testkit";

export const MiB = 1024 * 1024;

/** Deterministic, incompressible-looking bytes (xorshift32), different for each seed. */
export const bytesOf = (length: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
};
