/** Events of layer uploads and mounts. Only digests, sizes and offsets: never bytes. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type {
  ByteOffset,
  Digest,
  RegistryId,
  RepositoryName,
  Timestamp,
  UploadId,
} from "../values/primitives.js";

export type LayerUploadInitiated = Event<
  "LayerUploadInitiated",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly initiatedAt: Timestamp;
    /**
     * The session's deadline. Absent in events recorded before uploads expired: those sessions end
     * `DEFAULT_UPLOAD_TTL_MS` after `initiatedAt`.
     */
    readonly expiresAt?: Timestamp;
  }
>;
/** Goes to the upload's own stream. */
export type LayerPartUploaded = Event<
  "LayerPartUploaded",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly partFirstByte: ByteOffset;
    readonly partLastByte: ByteOffset;
  }
>;
/** The upload's bytes became layer `layerDigest` of this repository; the session is closed. */
export type LayerUploadCompleted = Event<
  "LayerUploadCompleted",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly layerDigest: Digest;
    readonly size: ByteOffset;
    readonly completedAt: Timestamp;
  }
>;
/** The session is closed without a layer (cancelled, or its bytes did not match their digest). */
export type LayerUploadDiscarded = Event<
  "LayerUploadDiscarded",
  RepositoryRef & { readonly uploadId: UploadId; readonly reason: string }
>;
/** The session passed its deadline unfinished and is closed; its bytes are released next. */
export type LayerUploadExpired = Event<
  "LayerUploadExpired",
  RepositoryRef & { readonly uploadId: UploadId; readonly expiredAt: Timestamp }
>;
/**
 * The bytes of a closed session (expired, discarded, or of a deleted repository) left the blob
 * store. Goes to the upload's own stream.
 */
export type UploadBytesReleased = Event<
  "UploadBytesReleased",
  { readonly registryId: RegistryId; readonly uploadId: UploadId }
>;
/** A blob that already exists in the registry becomes a layer of this repository (OCI mount). */
export type LayerLinked = Event<
  "LayerLinked",
  RepositoryRef & {
    readonly layerDigest: Digest;
    readonly size: ByteOffset;
    readonly fromRepository: RepositoryName;
    readonly linkedAt: Timestamp;
    /** The retention that kept the blob from garbage collection until now, ended by this link. */
    readonly retentionId?: string;
  }
>;

export type LayerUploadEvent =
  | LayerUploadInitiated
  | LayerPartUploaded
  | LayerUploadCompleted
  | LayerUploadDiscarded
  | LayerUploadExpired
  | UploadBytesReleased
  | LayerLinked;
