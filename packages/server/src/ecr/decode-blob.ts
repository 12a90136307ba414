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

/**
 * An UploadLayerPart request with its layerPartBlob decoded, when that text is exact base64 (the
 * body parser hands it over as its bytes: see parseRequestBody's `bytesOf`); else as text, for the
 * codec to refuse in ECR's words.
 */
export const withDecodedLayerPart = (request: unknown): unknown => {
  if (typeof request !== "object" || request === null || !("layerPartBlob" in request)) return request;
  const text = request.layerPartBlob;
  if (typeof text !== "string" && !Buffer.isBuffer(text)) return request;
  const bytes = decodeExactBase64(text);
  if (bytes !== undefined) return { ...request, layerPartBlob: bytes };
  return typeof text === "string" ? request : { ...request, layerPartBlob: text.toString("latin1") };
};
