/**
 * Errors of the OCI distribution API: a status and a body `{"errors":[{"code","message","detail"}]}`
 * with the spec's codes. Registry errors (the same ones the ECR API names) map onto them here.
 */
import type { RegistryError } from "@berth/core";

export type OciErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  /** The spec's code for 429: here, too many bytes of request bodies in flight. */
  | "TOOMANYREQUESTS"
  /** distribution's code for an unexpected failure (500): a bug, not a client fault. */
  | "UNKNOWN"
  /** distribution's code for 503: the registry cannot serve right now (its storage is busy). */
  | "UNAVAILABLE"
  /** Not in the spec's list: ECR answers docker with it for an immutable tag, and clients know it. */
  | "TAG_INVALID";

export interface OciError {
  readonly status: number;
  readonly code: OciErrorCode;
  readonly message: string;
  readonly detail?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const ociError = (
  status: number,
  code: OciErrorCode,
  message: string,
  detail?: unknown,
): OciError => ({
  status,
  code,
  message,
  ...(detail === undefined ? {} : { detail }),
});

/** What a registry error means to an OCI client; `subject` says what the request was about. */
export const ociErrorOf = (error: RegistryError, subject: "blob" | "upload" | "manifest"): OciError => {
  const detail = { ecrException: error._tag };
  switch (error._tag) {
    case "RepositoryNotFoundException":
      return ociError(404, "NAME_UNKNOWN", error.message, detail);
    case "UploadNotFoundException":
      return ociError(404, "BLOB_UPLOAD_UNKNOWN", error.message, detail);
    case "InvalidLayerPartException":
      // 416 with the Range to resume from; the spec's code list has no RANGE_INVALID.
      return {
        ...ociError(416, "BLOB_UPLOAD_INVALID", error.message, detail),
        headers: { range: `0-${Math.max(error.lastValidByteReceived, 0)}` },
      };
    case "InvalidLayerException":
    case "ImageDigestDoesNotMatchException":
      return ociError(400, "DIGEST_INVALID", error.message, detail);
    case "LayersNotFoundException":
    case "ReferencedImagesNotFoundException":
      return subject === "manifest"
        ? ociError(400, "MANIFEST_BLOB_UNKNOWN", error.message, detail)
        : ociError(404, "BLOB_UNKNOWN", error.message, detail);
    case "ImageNotFoundException":
    case "UnableToGetUpstreamImageException":
      return ociError(404, "MANIFEST_UNKNOWN", error.message, detail);
    case "UnableToGetUpstreamLayerException":
      return ociError(404, "BLOB_UNKNOWN", error.message, detail);
    case "ImageTagAlreadyExistsException":
      return ociError(400, "TAG_INVALID", error.message, detail);
    case "InvalidParameterException":
      return subject === "manifest"
        ? ociError(400, "MANIFEST_INVALID", error.message, detail)
        : ociError(
            400,
            subject === "upload" ? "BLOB_UPLOAD_INVALID" : "DIGEST_INVALID",
            error.message,
            detail,
          );
    case "EmptyUploadException":
    case "LayerPartTooSmallException":
      return ociError(400, "BLOB_UPLOAD_INVALID", error.message, detail);
    default:
      return ociError(400, "DENIED", error.message, detail);
  }
};
