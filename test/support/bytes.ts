/** Bytes and digests for tests: deterministic content and its sha256. */
import { createHash } from "node:crypto";

export const MiB = 1024 * 1024;

export const sha256 = (bytes: Uint8Array | string) =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

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
