/**
 * Commands of layer uploads (ECR's UploadLayerPart and OCI's chunked PATCH alike) and of layer
 * mounts. The core never sees layer bytes: the engine measures them and the commands carry that.
 */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { ProtocolRules } from "../kernel/protocol-rules.js";
import type {
  ByteOffset,
  Digest,
  RegistryId,
  RepositoryName,
  Timestamp,
  UploadId,
} from "../values/primitives.js";

/**
 * Whose rules complete an upload. `ecr`: every part but the last is at least 5 MiB, and an upload
 * without parts is refused (EmptyUploadException). `oci`: parts of any size, and no parts is the
 * empty blob.
 */
export type UploadRules = ProtocolRules;

export type InitiateLayerUpload = Command<
  "InitiateLayerUpload",
  RepositoryRef & {
    /** Chosen by the caller: a fresh uuid, never one used before (only open uploads are checked). */
    readonly uploadId: UploadId;
    readonly initiatedAt: Timestamp;
    /** The session's deadline (`initiatedAt` + the upload TTL); default `DEFAULT_UPLOAD_TTL_MS` later. */
    readonly expiresAt?: Timestamp;
  }
>;
export type UploadLayerPart = Command<
  "UploadLayerPart",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly partFirstByte: ByteOffset;
    readonly partLastByte: ByteOffset;
    /**
     * How many bytes the part really holds (counted at the edge, where the bytes are). ECR's 20 MiB
     * limit per part is the ECR request codec's; OCI chunks have no limit.
     */
    readonly partLength: ByteOffset;
    /** When the part arrived: a session past its deadline takes no more parts. */
    readonly uploadedAt: Timestamp;
  }
>;
export type CompleteLayerUpload = Command<
  "CompleteLayerUpload",
  RepositoryRef & {
    readonly uploadId: UploadId;
    /** The digests the client declares: ECR's layerDigests, which must hold exactly one. */
    readonly layerDigests: ReadonlyArray<string>;
    /** What was received, as measured by the blob store while the bytes streamed in. */
    readonly received: { readonly digest: Digest; readonly size: ByteOffset };
    readonly rules: UploadRules;
    readonly completedAt: Timestamp;
  }
>;
/** Cancels an upload session (OCI DELETE), or closes one whose bytes failed their digest. */
export type DiscardLayerUpload = Command<
  "DiscardLayerUpload",
  RepositoryRef & { readonly uploadId: UploadId; readonly reason: string }
>;
/** Closes a session whose deadline has passed (the background sweep asks, with the time it is). */
export type ExpireLayerUpload = Command<
  "ExpireLayerUpload",
  RepositoryRef & { readonly uploadId: UploadId; readonly now: Timestamp }
>;
/** Records that a closed session's bytes left the blob store (sent after they did). */
export type ReleaseUploadBytes = Command<
  "ReleaseUploadBytes",
  { readonly registryId: RegistryId; readonly uploadId: UploadId }
>;
/** Makes a layer of another repository of the same registry a layer of this one (OCI mount). */
export type MountLayer = Command<
  "MountLayer",
  RepositoryRef & {
    readonly layerDigest: Digest;
    readonly fromRepository: RepositoryName;
    readonly mountedAt: Timestamp;
    /** The blob's retention (see RetainBlob), which the link ends. */
    readonly retentionId?: string;
  }
>;

export type LayerUploadCommand =
  | InitiateLayerUpload
  | UploadLayerPart
  | CompleteLayerUpload
  | DiscardLayerUpload
  | ExpireLayerUpload
  | ReleaseUploadBytes
  | MountLayer;
