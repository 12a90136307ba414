/** The reference registry's state and answers: plain records, mutated in place by the model. */
import type {
  Digest,
  ImageDetail,
  ImageTag,
  ImageTagMutability,
  MediaType,
  RegistryErrorName,
  RepositoryName,
  Timestamp,
} from "@berth/core";

export interface ReferenceImage {
  readonly digest: Digest;
  readonly manifest: string;
  readonly mediaType: MediaType;
  readonly artifactMediaType: MediaType | undefined;
  readonly sizeInBytes: number;
  readonly pushedAt: Timestamp;
  /** In the order the tags arrived. */
  readonly tags: ImageTag[];
  readonly blobs: ReadonlyArray<Digest>;
  readonly children: ReadonlyArray<Digest>;
  readonly subject: Digest | undefined;
}

export interface ReferenceRepository {
  readonly name: RepositoryName;
  mutability: ImageTagMutability;
  exclusions: string[];
  /** In push order. */
  readonly images: ReferenceImage[];
  readonly layers: Map<Digest, number>;
  policy: string | undefined;
  readonly resourceTags: Map<string, string>;
}

export interface ReferenceUpload {
  readonly repository: RepositoryName;
  readonly partLengths: number[];
}

/** What a command came to: accepted, or refused with the name of an ECR exception. */
export type ReferenceOutcome =
  | { readonly ok: true; readonly deletion?: ReferenceDeletion }
  | { readonly ok: false; readonly error: RegistryErrorName; readonly lastValidByteReceived?: number };

/** BatchDeleteImage's answer. */
export interface ReferenceDeletion {
  readonly imageIds: ReadonlyArray<{ readonly imageDigest: Digest; readonly imageTag?: ImageTag }>;
  readonly failureCodes: ReadonlyArray<string>;
}

/** What the reference answers for an image: the shape of DescribeImages' imageDetails. */
export type ReferenceImageDetail = ImageDetail;

/** A well-formed digest, as ECR checks it before looking anything up. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export const ok: ReferenceOutcome = { ok: true };
export const refused = (error: RegistryErrorName): ReferenceOutcome => ({ ok: false, error });
