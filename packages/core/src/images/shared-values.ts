/**
 * Values many images hold, stored once. A state with a million images keeps a million of each
 * field, so a string that every event repeats (a media type, a base layer's digest) is looked up
 * and shared instead of kept as each event's own copy.
 */
import type { BlobEntry } from "../kernel/registry-state.js";
import { MediaTypes } from "../values/manifest.js";
import type { Digest, ImageTag, MediaType } from "../values/primitives.js";

const COMMON_MEDIA_TYPES: ReadonlyMap<string, MediaType> = new Map(
  [
    ...Object.values(MediaTypes),
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.oci.empty.v1+json",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
  ].map((type) => [type, type as MediaType]),
);

/** The one copy of a common media type; any other is kept as given. */
export function sharedMediaType(type: MediaType): MediaType;
export function sharedMediaType(type: MediaType | undefined): MediaType | undefined;
export function sharedMediaType(type: MediaType | undefined): MediaType | undefined {
  return type === undefined ? undefined : (COMMON_MEDIA_TYPES.get(type) ?? type);
}

/** The empty list of digests every image without children (or blobs) shares. */
export const NO_DIGESTS: ReadonlyArray<Digest> = Object.freeze([]);

/** The empty list of tags every untagged image shares. */
export const NO_TAGS: ReadonlyArray<ImageTag> = Object.freeze([]);

/** `digest` as the string the blob index already keys its entry by (the first copy seen). */
export const sharedDigest = (digest: Digest, index: ReadonlyMap<Digest, Pick<BlobEntry, "digest">>): Digest =>
  index.get(digest)?.digest ?? digest;

/** `digests` as the blob index's copies (see sharedDigest). */
export const sharedDigests = (
  digests: ReadonlyArray<Digest>,
  index: ReadonlyMap<Digest, Pick<BlobEntry, "digest">>,
): ReadonlyArray<Digest> =>
  digests.length === 0 ? NO_DIGESTS : digests.map((digest) => sharedDigest(digest, index));
