/**
 * Decoding a layer part's base64 at the edge, natively, before the codec sees it: the codec's check
 * of the text is a loop over each of its 28 million characters, slower than hashing the layer.
 *
 * Node's decoder skips what is not base64 (and reads `-` and `_` as base64url), so text decodes
 * exactly when it has neither of those and its bytes number what its length and padding promise:
 * every character it skipped or stopped at would have made them fewer. Text that is not exact is
 * left as it came, for the codec to refuse in ECR's words.
 */
import { base64DecodedLength } from "@berth/core";

/**
 * Text decoded this many characters at a time (a multiple of 4): each slice's string stays below
 * V8's large-object size and dies young. One string of a whole 28 MB part cost a full garbage
 * collection every few parts.
 */
const SLICE = 64 * 1024;

/** The bytes of exact standard base64 text, given as a string or as its ASCII bytes; or undefined. */
export const decodeExactBase64 = (text: string | Buffer): Buffer | undefined => {
  const expected = base64DecodedLength(text);
  if (expected === undefined || text.includes("-") || text.includes("_")) return undefined;
  if (typeof text === "string") {
    const bytes = Buffer.from(text, "base64");
    return bytes.byteLength === expected ? bytes : undefined;
  }
  const bytes = Buffer.allocUnsafe(expected);
  let written = 0;
  for (let at = 0; at < text.length; at += SLICE) {
    written += bytes.write(text.toString("latin1", at, at + SLICE), written, "base64");
  }
  return written === expected ? bytes : undefined;
};

const QUOTE = 0x22;

/**
 * The JSON string opening at `start` in `body` decoded, with where it ends, when its text is exact
 * standard base64; else undefined. Its end is found by one native search for the next quote, not by
 * the JSON scan (on a 28 MB layer part, that scan cost more than hashing the layer): text that decodes
 * exactly holds no backslash, control or non-ASCII character (the decoder would have skipped each,
 * and the bytes would have come out fewer), so it is a plain JSON string ending at that quote.
 */
export const exactBase64String = (
  body: Buffer,
  start: number,
): { bytes: Buffer; end: number } | undefined => {
  const close = body.indexOf(QUOTE, start + 1);
  if (close < 0) return undefined;
  const bytes = decodeExactBase64(body.subarray(start + 1, close));
  return bytes === undefined ? undefined : { bytes, end: close + 1 };
};

/**
 * A base64 member as the body parser hands it over (a string, or its ASCII bytes when it holds no
 * escape), decoded when its text is exact base64; else as text, for the codec to refuse in ECR's words.
 */
export const decodedOrText = (value: unknown): unknown => {
  if (typeof value !== "string" && !Buffer.isBuffer(value)) return value;
  const bytes = decodeExactBase64(value);
  if (bytes !== undefined) return bytes;
  return typeof value === "string" ? value : value.toString("latin1");
};
