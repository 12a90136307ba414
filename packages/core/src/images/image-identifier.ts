/**
 * ECR's ImageIdentifier, and the per-id failures of the batch operations that take a list of them
 * (BatchDeleteImage, BatchGetImage, DescribeImages): one wording for all of them.
 */
import * as E from "fp-ts/lib/Either.js";
import { Digest, ImageTag } from "../values/primitives.js";

/** A digest, a tag, or both (both must then name the same image). */
export interface ImageIdentifier {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type ImageFailureCode =
  | "InvalidImageDigest"
  | "InvalidImageTag"
  | "ImageTagDoesNotMatchDigest"
  | "ImageNotFound"
  | "MissingDigestAndTag"
  | "ImageReferencedByManifestList"
  | "ImageInaccessible";

export interface ImageFailure {
  readonly imageId: ImageIdentifier;
  readonly failureCode: ImageFailureCode;
  readonly failureReason: string;
}

export const imageFailure = (
  imageId: ImageIdentifier,
  failureCode: ImageFailureCode,
  failureReason: string,
): ImageFailure => ({ imageId, failureCode, failureReason });

/** Failures about an id and the images it names, with ECR's reasons. */
export const ImageFailures = {
  notFound: (id: ImageIdentifier) => imageFailure(id, "ImageNotFound", "Requested image not found"),
  tagDoesNotMatchDigest: (id: ImageIdentifier) =>
    imageFailure(
      id,
      "ImageTagDoesNotMatchDigest",
      "Invalid request parameters: given tag does not match the given digest",
    ),
  referencedByManifestList: (id: ImageIdentifier) =>
    imageFailure(id, "ImageReferencedByManifestList", "Requested image is referenced by a manifest list"),
  /** ECR's archived images cannot be pulled until UpdateImageStorageClass restores them. */
  archived: (id: ImageIdentifier) =>
    imageFailure(
      id,
      "ImageInaccessible",
      "Requested image is archived: restore it to the STANDARD storage class (UpdateImageStorageClass) to pull it",
    ),
} as const;

/** An ImageIdentifier whose members are well-formed: a Digest, an ImageTag, at least one of them. */
export interface CheckedImageId {
  readonly imageDigest?: Digest;
  readonly imageTag?: ImageTag;
}

/**
 * The id with its members checked, or why it can name no image whatever the repository holds
 * (neither digest nor tag, or a malformed one).
 */
export const checkImageId = (id: ImageIdentifier): E.Either<ImageFailure, CheckedImageId> => {
  const { imageDigest, imageTag } = id;
  const fail = (code: ImageFailureCode, reason: string) => E.left(imageFailure(id, code, reason));
  if (imageDigest === undefined && imageTag === undefined) {
    return fail("MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null");
  }
  if (imageDigest !== undefined && !Digest.is(imageDigest)) {
    return fail(
      "InvalidImageDigest",
      "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    );
  }
  if (imageTag !== undefined && !ImageTag.is(imageTag)) {
    return fail("InvalidImageTag", "Invalid request parameters: image tag should be 1 to 300 characters");
  }
  return E.right({
    ...(imageDigest === undefined ? {} : { imageDigest }),
    ...(imageTag === undefined ? {} : { imageTag }),
  });
};
