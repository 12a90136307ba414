/** DescribeImages, ListImages, BatchGetImage. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { imageStatusOf, isPullable } from "../archive/image-status.js";
import {
  decodeImageToken,
  encodeImageToken,
  firstGreaterThan,
  type ImagePosition,
  type PageRequest,
  pageSize,
} from "../kernel/pagination.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import {
  type ImageState,
  type RegistryState,
  type RepositoryState,
  requireRepository,
} from "../kernel/registry-state.js";
import {
  type ImageScanFindingsSummary,
  type ImageScanStatus,
  imageScanFields,
} from "../scanning/image-scan-summary.js";
import type {
  Digest,
  ImageStatus,
  ImageStatusFilter,
  ImageTag,
  MediaType,
  RegistryId,
  RepositoryName,
  TagStatus,
  Timestamp,
} from "../values/primitives.js";
import {
  checkImageId,
  type ImageFailure,
  ImageFailures,
  type ImageIdentifier,
  imageFailure,
} from "./image-identifier.js";
import { imageTags, tagCount } from "./image-tags.js";

export interface ImagesQuery extends PageRequest {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly filter?: { readonly tagStatus?: TagStatus; readonly imageStatus?: ImageStatusFilter };
}

/** The images a listing filter takes in: by tag status, and by image status (ECR: ACTIVE when not given). */
const filterOf = (filter: ImagesQuery["filter"]) => {
  const { tagStatus, imageStatus = "ACTIVE" } = filter ?? {};
  return (image: ImageState) =>
    (tagStatus === "TAGGED"
      ? tagCount(image) > 0
      : tagStatus === "UNTAGGED"
        ? tagCount(image) === 0
        : true) &&
    (imageStatus === "ANY" || imageStatusOf(image) === imageStatus);
};

/**
 * Walks the repository's images in push order from a token. Each image yields `unitsOf(image)`
 * results; `take` receives the image, the offset of its first result still to give, and the room
 * left on the page, and returns how many results it gave. Returns the next page's token, if any.
 */
const walkPushOrder = (
  repository: RepositoryState,
  from: ImagePosition,
  limit: number,
  matches: (image: ImageState) => boolean,
  unitsOf: (image: ImageState) => number,
  take: (image: ImageState, offset: number, room: number) => number,
): string | undefined => {
  const { seqs, digests } = repository.pushOrder;
  let produced = 0;
  // Resume inside the image the token points at, if it still exists.
  let i = firstGreaterThan(seqs, from.seq - 1);
  for (; i < seqs.length; i++) {
    const image = repository.images.get(digests[i]!);
    if (image === undefined || image.seq !== seqs[i] || !matches(image)) continue;
    if (produced === limit) return encodeImageToken({ seq: image.seq, offset: 0 });
    const offset = image.seq === from.seq ? from.offset : 0;
    const room = limit - produced;
    const taken = take(image, offset, room);
    produced += taken;
    if (taken === room && produced === limit && offset + taken < unitsOf(image)) {
      return encodeImageToken({ seq: image.seq, offset: offset + taken });
    }
  }
  return undefined;
};

/** ListImages lists one id per tag (an untagged image is one id with its digest alone). */
const idCount = (image: ImageState) => Math.max(tagCount(image), 1);

export interface ImageDetail {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly imageTags?: ReadonlyArray<ImageTag>;
  readonly imageSizeInBytes: number;
  readonly imagePushedAt: Timestamp;
  readonly imageManifestMediaType: MediaType;
  readonly artifactMediaType?: MediaType;
  readonly subjectManifestDigest?: Digest;
  readonly imageScanStatus?: ImageScanStatus;
  readonly imageScanFindingsSummary?: ImageScanFindingsSummary;
  readonly imageStatus: ImageStatus;
  readonly lastRecordedPullTime?: Timestamp;
  readonly lastArchivedAt?: Timestamp;
  readonly lastActivatedAt?: Timestamp;
}

const detail = (repository: RepositoryState, image: ImageState): ImageDetail => ({
  registryId: repository.registryId,
  repositoryName: repository.name,
  imageDigest: image.digest,
  ...(tagCount(image) > 0 ? { imageTags: [...imageTags(image)] } : {}),
  imageSizeInBytes: image.sizeInBytes,
  imagePushedAt: image.pushedAt,
  imageManifestMediaType: image.manifestMediaType,
  ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
  ...(image.subject === undefined ? {} : { subjectManifestDigest: image.subject }),
  ...imageScanFields(image),
  imageStatus: imageStatusOf(image),
  ...(image.lastPulledAt === undefined ? {} : { lastRecordedPullTime: image.lastPulledAt }),
  ...(image.lastArchivedAt === undefined ? {} : { lastArchivedAt: image.lastArchivedAt }),
  ...(image.lastActivatedAt === undefined ? {} : { lastActivatedAt: image.lastActivatedAt }),
});

/** Resolves an ImageIdentifier to an image, or the ECR failure for it. */
export const resolveImageId = (
  repository: RepositoryState,
  id: ImageIdentifier,
): E.Either<ImageFailure, ImageState> =>
  pipe(
    checkImageId(id),
    E.chain(({ imageDigest, imageTag }) => {
      const digest = imageTag !== undefined ? repository.tags.get(imageTag) : imageDigest;
      const image = digest === undefined ? undefined : repository.images.get(digest);
      if (image === undefined) return E.left(ImageFailures.notFound(id));
      if (imageDigest !== undefined && imageDigest !== image.digest) {
        return E.left(ImageFailures.tagDoesNotMatchDigest(id));
      }
      return E.right(image);
    }),
  );

/**
 * The image one id names, or the error an operation on one image answers: ImageNotFoundException
 * (with ECR's message), InvalidParameterException for an id that can name no image.
 */
export const requireImage = (
  repository: RepositoryState,
  id: ImageIdentifier,
): E.Either<RegistryError, ImageState> =>
  pipe(
    resolveImageId(repository, id),
    E.mapLeft((failure) =>
      failure.failureCode === "ImageNotFound"
        ? RegistryErrors.imageNotFound(
            `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
          )
        : RegistryErrors.invalidParameter(failure.failureReason),
    ),
  );

export interface DescribeImagesQuery extends ImagesQuery {
  readonly imageIds?: ReadonlyArray<ImageIdentifier>;
}

/**
 * With imageIds: exactly those images, whatever their status (ImageNotFoundException if one does not
 * exist); without: every image in push order, a page at a time, filtered by tag and image status.
 */
export const describeImages = (
  state: RegistryState,
  query: DescribeImagesQuery,
): E.Either<RegistryError, { imageDetails: ReadonlyArray<ImageDetail>; nextToken?: string }> =>
  pipe(
    requireRepository(state, query),
    E.chainW((repository) => {
      if (query.imageIds !== undefined) {
        const details: ImageDetail[] = [];
        const seen = new Set<Digest>();
        for (const id of query.imageIds) {
          const resolved = requireImage(repository, id);
          if (E.isLeft(resolved)) return resolved;
          if (!seen.has(resolved.right.digest)) {
            seen.add(resolved.right.digest);
            details.push(detail(repository, resolved.right));
          }
        }
        return E.right({ imageDetails: details });
      }
      return pipe(
        decodeImageToken(query.nextToken),
        E.map((from) => {
          const details: ImageDetail[] = [];
          const nextToken = walkPushOrder(
            repository,
            from,
            pageSize(query),
            filterOf(query.filter),
            () => 1,
            (image) => {
              details.push(detail(repository, image));
              return 1;
            },
          );
          return nextToken === undefined ? { imageDetails: details } : { imageDetails: details, nextToken };
        }),
      );
    }),
  );

export interface ListedImageId {
  readonly imageDigest: Digest;
  readonly imageTag?: ImageTag;
}

/** Every image id in push order (one per tag), a page at a time, filtered by tag and image status. */
export const listImages = (
  state: RegistryState,
  query: ImagesQuery,
): E.Either<RegistryError, { imageIds: ReadonlyArray<ListedImageId>; nextToken?: string }> =>
  pipe(
    requireRepository(state, query),
    E.chainW((repository) =>
      pipe(
        decodeImageToken(query.nextToken),
        E.map((from) => {
          const imageIds: ListedImageId[] = [];
          const nextToken = walkPushOrder(
            repository,
            from,
            pageSize(query),
            filterOf(query.filter),
            idCount,
            (image, offset, room) => {
              if (tagCount(image) === 0) {
                imageIds.push({ imageDigest: image.digest });
                return 1;
              }
              const tags = imageTags(image).slice(offset, offset + room);
              for (const imageTag of tags) imageIds.push({ imageDigest: image.digest, imageTag });
              return tags.length;
            },
          );
          return nextToken === undefined ? { imageIds } : { imageIds, nextToken };
        }),
      ),
    ),
  );

export interface RetrievedImage {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageId: { readonly imageDigest: Digest; readonly imageTag?: string };
  readonly imageManifest: string;
  readonly imageManifestMediaType: MediaType;
}

/**
 * An image BatchGetImage serves, less its manifest text: the state does not keep manifests, the
 * log does, and the engine reads the text from there (by repository and digest).
 */
export type ImageToRetrieve = Omit<RetrievedImage, "imageManifest">;

export interface BatchGetImageQuery {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageIds: ReadonlyArray<ImageIdentifier>;
  readonly acceptedMediaTypes?: ReadonlyArray<string>;
}

/**
 * The images asked for (the engine adds their manifests, byte-exact); ids that cannot be served become per-id failures (an archived
 * image among them: ECR's ImageInaccessible). What is served is a pull: see `pullsToRecord`.
 */
export const batchGetImage = (
  state: RegistryState,
  query: BatchGetImageQuery,
): E.Either<
  RegistryError,
  { images: ReadonlyArray<ImageToRetrieve>; failures: ReadonlyArray<ImageFailure> }
> =>
  pipe(
    requireRepository(state, query),
    E.map((repository) => {
      const images: ImageToRetrieve[] = [];
      const failures: ImageFailure[] = [];
      for (const id of query.imageIds) {
        const resolved = resolveImageId(repository, id);
        if (E.isLeft(resolved)) {
          failures.push(resolved.left);
          continue;
        }
        const image = resolved.right;
        if (
          query.acceptedMediaTypes !== undefined &&
          !query.acceptedMediaTypes.includes(image.manifestMediaType)
        ) {
          failures.push(
            imageFailure(
              id,
              "ImageNotFound",
              `Requested image has media type '${image.manifestMediaType}', which is not among the accepted media types`,
            ),
          );
          continue;
        }
        if (!isPullable(image)) {
          failures.push(ImageFailures.archived(id));
          continue;
        }
        images.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: {
            imageDigest: image.digest,
            ...(id.imageTag === undefined ? {} : { imageTag: id.imageTag }),
          },
          imageManifestMediaType: image.manifestMediaType,
        });
      }
      return { images, failures };
    }),
  );
