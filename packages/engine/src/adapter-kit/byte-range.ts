import type { ByteRange } from "../ports/blob-store.js";

/** The inclusive range to read from a blob of `size` bytes; a range outside the blob is a RangeError. */
export const resolveByteRange = (range: ByteRange | undefined, size: number): ByteRange => {
  if (range === undefined) return { start: 0, end: size - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw new RangeError(`Byte range ${start}-${end} is outside a blob of ${size} bytes`);
  }
  return range;
};
