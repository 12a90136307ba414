/** Events of images and their tags. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { ParsedManifest } from "../values/manifest.js";
import type { Digest, ImageTag, MediaType, Timestamp } from "../values/primitives.js";

/** A new manifest; `imageTag`, if any, moves here from whichever image held it. */
export type ImagePushed = Event<
  "ImagePushed",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly imageManifest: string;
    readonly imageManifestMediaType: MediaType;
    readonly artifactMediaType?: MediaType;
    readonly imageTag?: ImageTag;
    readonly imageSizeInBytes: number;
    readonly blobs: ParsedManifest["blobs"];
    /** What the manifest says each blob is: BatchCheckLayerAvailability answers it (absent in old events). */
    readonly blobMediaTypes?: ParsedManifest["blobMediaTypes"];
    readonly children: ParsedManifest["children"];
    readonly subject?: Digest;
    readonly pushedAt: Timestamp;
  }
>;
/** An existing image gets a tag; the tag leaves whichever image held it. */
export type ImageTagged = Event<
  "ImageTagged",
  RepositoryRef & { readonly imageDigest: Digest; readonly imageTag: ImageTag; readonly taggedAt: Timestamp }
>;
/** A tag is removed; the image stays. */
export type ImageUntagged = Event<
  "ImageUntagged",
  RepositoryRef & { readonly imageDigest: Digest; readonly imageTag: ImageTag }
>;
/**
 * An image and all its tags are removed. `deletedAt` is absent in events recorded before garbage
 * collection: the blobs they released count as unreferenced since long ago (time 0).
 */
export type ImageDeleted = Event<
  "ImageDeleted",
  RepositoryRef & { readonly imageDigest: Digest; readonly deletedAt?: Timestamp }
>;

export type ImageEvent = ImagePushed | ImageTagged | ImageUntagged | ImageDeleted;
