/**
 * The JSON scanner's inner loop for long strings: skips bytes that are plain string content (no
 * quote, no backslash, no control character) four at a time, on a 32-bit view of the buffer. A layer
 * part is 28 MB of base64 in one string; a byte at a time it cost more than hashing the layer.
 */

const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;
const SPACES = 0x20202020;
const ONES = 0x01010101;
const HIGH_BITS = 0x80808080;
/** Shorter runs are scanned a byte at a time: a view per key would cost more than it saves. */
const BYTE_LOOP = 32;

/** Whether the run scanned last held a byte >= 0x80 (so its text is not its bytes as latin1). */
export let lastRunHadHighBytes = false;

const isSpecial = (c: number): boolean => c === 0x22 || c === 0x5c || c < 0x20;

/**
 * The index of the first byte in [start, end) that is a quote, a backslash or below 0x20, or `end`
 * when there is none. Sets lastRunHadHighBytes for the bytes it passed.
 */
export const plainRunEnd = (b: Uint8Array, start: number, end: number): number => {
  let high = 0;
  let i = start;
  // A byte at a time up to a 4-byte boundary of the underlying memory (and through short runs).
  const byteLoopEnd = Math.min(end, start + BYTE_LOOP);
  while (i < byteLoopEnd || (i < end && (b.byteOffset + i) % 4 !== 0)) {
    const c = b[i] as number;
    if (isSpecial(c)) {
      lastRunHadHighBytes = high >= 0x80;
      return i;
    }
    high |= c;
    i++;
  }
  const words = (end - i) >> 2;
  if (words > 0) {
    const view = new Uint32Array(b.buffer, b.byteOffset + i, words);
    let w = 0;
    for (; w < words; w++) {
      const x = view[w] as number;
      const q = x ^ QUOTES;
      const s = x ^ BACKSLASHES;
      // Exact tests for "some byte is below 0x20", "some byte is 0x22", "some byte is 0x5c".
      if ((((x - SPACES) & ~x) | ((q - ONES) & ~q) | ((s - ONES) & ~s)) & HIGH_BITS) break;
      high |= x;
    }
    i += w * 4;
  }
  while (i < end && !isSpecial(b[i] as number)) high |= b[i++] as number;
  lastRunHadHighBytes = (high & HIGH_BITS) !== 0;
  return i;
};
