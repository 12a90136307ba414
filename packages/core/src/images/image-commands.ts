/** Commands on images: PutImage and BatchDeleteImage. */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { ProtocolRules } from "../kernel/protocol-rules.js";
import type { ImageTag, MediaType, Timestamp } from "../values/primitives.js";
import type { ImageIdentifier } from "./image-identifier.js";

export type PutImage = Command<
  "PutImage",
  RepositoryRef & {
    readonly imageManifest: string;
    readonly imageManifestMediaType?: MediaType;
    readonly imageTag?: ImageTag;
    /** When given, must equal the manifest's sha256 (ImageDigestDoesNotMatchException otherwise). */
    readonly imageDigest?: string;
    /**
     * The same manifest (and tag) pushed again: ECR refuses it (ImageAlreadyExistsException); OCI
     * accepts it, recording nothing, as docker retries a push that way.
     */
    readonly rules?: ProtocolRules;
    readonly pushedAt: Timestamp;
  }
>;
/** ECR's BatchDeleteImage. Ids that cannot be deleted become per-id failures, not an error. */
export type DeleteImages = Command<
  "DeleteImages",
  RepositoryRef & {
    readonly imageIds: ReadonlyArray<ImageIdentifier>;
    /** When: the blobs of deleted images are unreferenced from then on (garbage collection's grace). */
    readonly deletedAt: Timestamp;
  }
>;

export type ImageCommand = PutImage | DeleteImages;
