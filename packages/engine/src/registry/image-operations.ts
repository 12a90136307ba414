/** Images: push, get, delete, describe, list, and the OCI tags list and referrers. */
import {
  type BatchGetImageQuery,
  type BerthEvent,
  batchGetImage,
  type DeleteImages,
  type DescribeImagesQuery,
  Digest,
  describeImages,
  findRepository,
  type ImageFailure,
  type ImageIdentifier,
  type ImagesQuery,
  type ImageTag,
  listImages,
  listReferrers,
  listTags,
  type MediaType,
  manifestDigest,
  type ProtocolRules,
  planImageDeletion,
  type RegistryId,
  type RepositoryName,
  type RetrievedImage,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { ManifestReader } from "./manifest-reader.js";
import type { AnswerOf, RegistryRuntime, RepositoryInput, Result, WithRegistry } from "./registry-runtime.js";

export interface PutImageInput extends RepositoryInput {
  readonly imageManifest: string;
  readonly imageManifestMediaType?: MediaType;
  readonly imageTag?: ImageTag;
  /** When given, must equal the manifest's sha256 (ImageDigestDoesNotMatchException otherwise). */
  readonly imageDigest?: string;
  /** ECR's by default; under OCI's, pushing the same manifest (and tag) again succeeds. */
  readonly rules?: ProtocolRules;
}

export interface PushedImage {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  /** `imageDigest` is the manifest's sha256 as the core decided it: callers need not hash again. */
  readonly imageId: { readonly imageDigest: Digest; readonly imageTag?: ImageTag };
  readonly imageManifest: string;
  readonly imageManifestMediaType: MediaType | undefined;
  /** The manifest's OCI subject, as the core recorded it. */
  readonly subject?: Digest;
}

/** BatchGetImage's answer: the images with their manifests, and per-id failures. */
export interface BatchGetImageAnswer {
  readonly images: ReadonlyArray<RetrievedImage>;
  readonly failures: ReadonlyArray<ImageFailure>;
}

/** How a read of manifests counts: a pull (BatchGetImage, a `/v2` GET) records the pull time. */
export interface PullInput {
  /** False for a read that is no pull (a `/v2` HEAD only checks); default true. */
  readonly countsAsPull?: boolean;
  /**
   * Who pulls, when the front end knows it (a signed ECR call). Pull-time update exclusions (issue
   * 11) are decided by the core from it; see the core's `PullRecording`.
   */
  readonly principalArn?: string;
}

export interface ImageOperations {
  /** ECR PutImage (and OCI manifest PUT): stores the manifest byte-exact under its sha256. */
  putImage(input: PutImageInput): Result<{ image: PushedImage }>;
  /**
   * ECR BatchGetImage: per-id failures are part of the answer, not an error; an archived image is
   * one (ImageInaccessible). A pull records the images' pull time when one is due (at most once a
   * day each), beside the answer: the answer never waits for it (see `pullsRecorded`).
   */
  batchGetImage(input: WithRegistry<BatchGetImageQuery> & PullInput): Result<BatchGetImageAnswer>;
  /** ECR BatchDeleteImage: deletes what it can; the rest become per-id failures. */
  batchDeleteImage(
    input: RepositoryInput & { readonly imageIds: ReadonlyArray<ImageIdentifier> },
  ): Result<{ imageIds: ReadonlyArray<ImageIdentifier>; failures: ReadonlyArray<ImageFailure> }>;
  /** ECR DescribeImages, paginated. */
  describeImages(input: WithRegistry<DescribeImagesQuery>): Result<AnswerOf<typeof describeImages>>;
  /** ECR ListImages, paginated. */
  listImages(input: WithRegistry<ImagesQuery>): Result<AnswerOf<typeof listImages>>;
  /** Tags in lexical order after `last`, at most `n` (OCI tags list). */
  listTags(
    input: RepositoryInput & { readonly n?: number; readonly last?: string },
  ): Result<AnswerOf<typeof listTags>>;
  /** Manifests whose subject is `digest`, optionally of one artifact type (OCI referrers API). */
  listReferrers(
    input: RepositoryInput & { readonly digest: Digest; readonly artifactType?: string },
  ): Result<AnswerOf<typeof listReferrers>>;
}

/**
 * The digest the core stored the manifest under, without hashing it again: ImagePushed and
 * ImageTagged carry it; a push the core accepted with no event (the same manifest again, under OCI's
 * rules) named it by digest, or by the tag that already points at it.
 */
const decidedDigest = (
  input: PutImageInput,
  events: ReadonlyArray<BerthEvent>,
  tags: ReadonlyMap<ImageTag, Digest> | undefined,
): Digest => {
  const decided = events[0]?.data;
  if (decided !== undefined && "imageDigest" in decided) return decided.imageDigest;
  if (input.imageDigest !== undefined && Digest.is(input.imageDigest)) return input.imageDigest;
  return (
    (input.imageTag === undefined ? undefined : tags?.get(input.imageTag)) ??
    manifestDigest(input.imageManifest)
  );
};

/** Manifest reads begun before the catch-up, by digest (see readAhead). */
type EarlyReads = ReadonlyMap<Digest, Promise<string | undefined>>;

/** BatchGetImage's images with their manifests, read from the log; one it lacks becomes a failure. */
const withManifests = async (
  manifests: ManifestReader,
  found: AnswerOf<typeof batchGetImage>,
  early: EarlyReads,
): Promise<BatchGetImageAnswer> => {
  const texts = await Promise.all(
    found.images.map(
      (image) => early.get(image.imageId.imageDigest) ?? manifests.read(image, image.imageId.imageDigest),
    ),
  );
  const images: RetrievedImage[] = [];
  const failures = [...found.failures];
  found.images.forEach((image, i) => {
    const imageManifest = texts[i];
    if (imageManifest !== undefined) images.push({ ...image, imageManifest });
    else {
      const message = `The log holds no manifest for '${image.imageId.imageDigest}'`;
      failures.push({ imageId: image.imageId, failureCode: "ImageNotFound", failureReason: message });
    }
  });
  return { images, failures };
};

/**
 * Starts reading the manifests of the images the state already holds, so that they arrive while
 * the catch-up before the answer runs: a pull then waits for the slower of the two reads, not for
 * one after the other. `withManifests` awaits these reads; one the catch-up makes moot (the image
 * deleted meanwhile) is left to finish unheard.
 */
const readAhead = (manifests: ManifestReader, early: ReturnType<typeof batchGetImage>): EarlyReads => {
  const reads = new Map<Digest, Promise<string | undefined>>();
  if (E.isLeft(early)) return reads;
  for (const image of early.right.images) {
    const read = manifests.read(image, image.imageId.imageDigest);
    read.catch(() => undefined); // a failure is answered by withManifests, if it awaits the read
    reads.set(image.imageId.imageDigest, read);
  }
  return reads;
};

export const imageOperations = (runtime: RegistryRuntime): ImageOperations => {
  const { handler, now, runWithEvents, runObserving, query, refOf, registryOf, pulls, manifests } = runtime;
  return {
    putImage: (input) => {
      const ref = refOf(input);
      return runWithEvents({ type: "PutImage", data: { ...input, ...ref, pushedAt: now() } }, (events) => {
        const repository = findRepository(handler.state, ref.registryId, ref.repositoryName);
        const digest = decidedDigest(input, events, repository?.tags);
        const image = repository?.images.get(digest);
        manifests.remember(digest, input.imageManifest);
        return {
          image: {
            ...ref,
            imageId: {
              imageDigest: digest,
              ...(input.imageTag === undefined ? {} : { imageTag: input.imageTag }),
            },
            imageManifest: input.imageManifest,
            imageManifestMediaType: image?.manifestMediaType ?? input.imageManifestMediaType,
            ...(image?.subject === undefined ? {} : { subject: image.subject }),
          },
        };
      });
    },

    batchGetImage: async ({ countsAsPull = true, principalArn, ...input }) => {
      const registryId = registryOf(input);
      const pulledAt = now();
      const asked = { ...input, registryId };
      const position = handler.position;
      const before = batchGetImage(handler.state, asked);
      const early = readAhead(manifests, before);
      // When the catch-up folded nothing, the state is the one answered before: no second query.
      const found = await query((state) =>
        handler.position === position ? before : batchGetImage(state, asked),
      );
      const answer = E.isLeft(found) ? found : E.right(await withManifests(manifests, found.right, early));
      if (countsAsPull && E.isRight(answer) && answer.right.images.length > 0) {
        pulls.record({
          registryId,
          repositoryName: input.repositoryName,
          imageDigests: answer.right.images.map((image) => image.imageId.imageDigest),
          pulledAt,
          ...(principalArn === undefined ? {} : { principalArn }),
        });
      }
      return answer;
    },

    batchDeleteImage: (input) => {
      const command: DeleteImages = {
        type: "DeleteImages",
        data: { ...refOf(input), imageIds: input.imageIds, deletedAt: now() },
      };
      return runObserving(
        command,
        (before) =>
          planImageDeletion(
            findRepository(before, command.data.registryId, command.data.repositoryName)!,
            command,
          ),
        ({ imageIds, failures }) => ({ imageIds, failures }),
      );
    },

    describeImages: (input) =>
      query((state) => describeImages(state, { ...input, registryId: registryOf(input) })),
    listImages: (input) => query((state) => listImages(state, { ...input, registryId: registryOf(input) })),
    listTags: (input) => query((state) => listTags(state, { ...input, ...refOf(input) })),
    listReferrers: (input) => query((state) => listReferrers(state, { ...input, ...refOf(input) })),
  };
};
