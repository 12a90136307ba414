/** Layer blobs with their real sha256, and the parts an upload cuts them into. */
import { ByteOffset, type Digest } from "@berth/core";
import fc, { type Arbitrary } from "fast-check";
import { branded } from "./branded.js";
import { sha256Digest } from "./sha256-digest.js";

/** Layer bytes with what a blob store would measure of them. */
export interface LayerBlob {
  readonly bytes: Uint8Array;
  readonly digest: Digest;
  readonly size: ByteOffset;
}

export const layerBlobOf = (content: Uint8Array | string): LayerBlob => {
  const bytes = typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content;
  return { bytes, digest: sha256Digest(bytes), size: branded(ByteOffset, bytes.length) };
};

/** Concatenated bytes, as a blob store holds an upload's parts. */
export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

export const layerBlobArb = (
  constraints: { minLength?: number; maxLength?: number } = {},
): Arbitrary<LayerBlob> =>
  fc
    .uint8Array({
      minLength: Math.max(1, constraints.minLength ?? 1),
      maxLength: constraints.maxLength ?? 64,
    })
    .map(layerBlobOf);

/** Blobs with distinct digests. */
export const layerBlobsArb = (
  constraints: { minLength?: number; maxLength?: number; blobMaxLength?: number } = {},
): Arbitrary<LayerBlob[]> =>
  fc.uniqueArray(layerBlobArb({ maxLength: constraints.blobMaxLength ?? 64 }), {
    minLength: constraints.minLength ?? 1,
    maxLength: constraints.maxLength ?? 4,
    selector: (blob) => blob.digest,
  });

/** Cuts `bytes` at the given offsets (clamped, deduplicated) into non-empty parts. */
export const splitBytes = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((cut) => Math.min(Math.max(cut, 1), bytes.length - 1)))]
    .filter((cut) => cut > 0 && cut < bytes.length)
    .sort((a, b) => a - b);
  const bounds = [0, ...points, bytes.length];
  return bounds.slice(1).map((end, i) => bytes.subarray(bounds[i]!, end));
};

/** `bytes` cut into 1 to `maxParts` non-empty parts. */
export const partsArb = (bytes: Uint8Array, maxParts = 4): Arbitrary<Uint8Array[]> =>
  bytes.length <= 1
    ? fc.constant([bytes])
    : fc
        .array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: maxParts - 1 })
        .map((cuts) => splitBytes(bytes, cuts));
