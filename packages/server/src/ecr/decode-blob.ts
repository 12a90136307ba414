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

/** The bytes of exact standard base64 text, or undefined. */
export const decodeExactBase64 = (text: string): Buffer | undefined => {
  const expected = base64DecodedLength(text);
  if (expected === undefined || text.includes("-") || text.includes("_")) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.byteLength === expected ? bytes : undefined;
};

/** An UploadLayerPart request with its layerPartBlob decoded, when that text is exact base64. */
export const withDecodedLayerPart = (request: unknown): unknown => {
  if (typeof request !== "object" || request === null || !("layerPartBlob" in request)) return request;
  const text = request.layerPartBlob;
  const bytes = typeof text === "string" ? decodeExactBase64(text) : undefined;
  return bytes === undefined ? request : { ...request, layerPartBlob: bytes };
};
