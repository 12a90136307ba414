/**
 * A reference model of ONE registry, written as plainly as possible (arrays, maps, loops) and
 * independently of the core: it interprets the same commands and answers the same queries, so that
 * a model-based test can run random histories through both and compare every answer.
 *
 * It knows manifests only through `ManifestDraft`s (what the arbitraries that wrote a manifest say
 * it references), and computes nothing with the core's code: tag wildcards, digest checks and the
 * order of BatchDeleteImage are reimplemented here from ECR's documented behaviour.
 */
import {
  type BerthCommand,
  type Digest,
  type ImageIdentifier,
  ImageTag,
  type ImageTagMutability,
  type MediaType,
  type RegistryErrorName,
  type RegistryId,
  type RepositoryName,
  type TagStatus,
  type Timestamp,
  type UploadId,
} from "@berth/core";
import { branded } from "./branded.js";
import type { ManifestDraft } from "./manifest-arbitraries.js";

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

interface ReferenceUpload {
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

export interface ReferenceImageDetail {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly imageTags?: ReadonlyArray<ImageTag>;
  readonly imageSizeInBytes: number;
  readonly imagePushedAt: Timestamp;
  readonly imageManifestMediaType: MediaType;
  readonly artifactMediaType?: MediaType;
  readonly subjectManifestDigest?: Digest;
}

const FIVE_MIB = 5 * 1024 * 1024;
const MAX_RESOURCE_TAGS = 50;
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** Does `pattern` (where `*` stands for any run of characters) match all of `text`? */
export const wildcardMatches = (pattern: string, text: string): boolean => {
  if (pattern === "") return text === "";
  if (pattern[0] === "*") {
    for (let i = 0; i <= text.length; i++) if (wildcardMatches(pattern.slice(1), text.slice(i))) return true;
    return false;
  }
  return text.length > 0 && pattern[0] === text[0] && wildcardMatches(pattern.slice(1), text.slice(1));
};

/** Whether a tag, once set, may not move, under ECR's four mutability settings. */
export const tagIsImmutable = (
  mutability: ImageTagMutability,
  exclusions: ReadonlyArray<string>,
  tag: string,
) => {
  const excluded = exclusions.some((filter) => wildcardMatches(filter, tag));
  switch (mutability) {
    case "MUTABLE":
      return false;
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
  }
};

const isJsonObject = (text: string) => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};

const ok: ReferenceOutcome = { ok: true };
const refused = (error: RegistryErrorName): ReferenceOutcome => ({ ok: false, error });

export class ReferenceRegistry {
  readonly repositories = new Map<RepositoryName, ReferenceRepository>();
  readonly uploads = new Map<UploadId, ReferenceUpload>();
  lenient = false;
  registryPolicy: string | undefined = undefined;
  readonly #manifests = new Map<string, ManifestDraft>();

  /** `manifests`: every manifest the commands may push, so the model knows what each references. */
  constructor(
    readonly registryId: RegistryId,
    manifests: Iterable<ManifestDraft> = [],
  ) {
    for (const draft of manifests) this.#manifests.set(draft.manifest, draft);
  }

  /** Teaches the model another manifest. */
  know(draft: ManifestDraft): void {
    this.#manifests.set(draft.manifest, draft);
  }

  execute(command: BerthCommand): ReferenceOutcome {
    if (command.data.registryId !== this.registryId) {
      throw new Error(`The reference registry models registry ${this.registryId} only`);
    }
    switch (command.type) {
      case "PutRegistrySettings":
        this.lenient = command.data.lenient;
        return ok;
      case "PutRegistryPolicy":
        if (!isJsonObject(command.data.policyText)) return refused("InvalidParameterException");
        this.registryPolicy = command.data.policyText;
        return ok;
      case "DeleteRegistryPolicy":
        if (this.registryPolicy === undefined) return refused("RegistryPolicyNotFoundException");
        this.registryPolicy = undefined;
        return ok;
      case "CreateRepository":
        return this.#createRepository(command.data);
      default:
        break;
    }
    const repository = this.repositories.get(command.data.repositoryName);
    if (repository === undefined) return refused("RepositoryNotFoundException");
    switch (command.type) {
      case "DeleteRepository":
        if (repository.images.length > 0 && command.data.force !== true)
          return refused("RepositoryNotEmptyException");
        this.repositories.delete(repository.name);
        for (const [id, upload] of this.uploads)
          if (upload.repository === repository.name) this.uploads.delete(id);
        return ok;
      case "PutImageTagMutability": {
        const filters = (command.data.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter);
        if (!exclusionsFit(command.data.imageTagMutability, filters))
          return refused("InvalidParameterException");
        repository.mutability = command.data.imageTagMutability;
        repository.exclusions = filters;
        return ok;
      }
      case "PutImage":
        return this.#putImage(repository, command.data);
      case "DeleteImages":
        return { ok: true, deletion: this.#deleteImages(repository, command.data.imageIds) };
      case "InitiateLayerUpload":
        if (this.uploads.has(command.data.uploadId)) return refused("InvalidParameterException");
        this.uploads.set(command.data.uploadId, { repository: repository.name, partLengths: [] });
        return ok;
      case "UploadLayerPart": {
        const upload = this.#openUpload(repository, command.data.uploadId);
        if (upload === undefined) return refused("UploadNotFoundException");
        const received = upload.partLengths.reduce((a, b) => a + b, 0);
        const { partFirstByte: first, partLastByte: last, partLength: length } = command.data;
        if (first !== received || last < first || last - first + 1 !== length) {
          return { ok: false, error: "InvalidLayerPartException", lastValidByteReceived: received - 1 };
        }
        upload.partLengths.push(length);
        return ok;
      }
      case "CompleteLayerUpload": {
        const upload = this.#openUpload(repository, command.data.uploadId);
        if (upload === undefined) return refused("UploadNotFoundException");
        const parts = upload.partLengths;
        if (parts.length === 0 && command.data.allowEmpty !== true) return refused("EmptyUploadException");
        // ECR's 5 MiB rule; OCI uploads and lenient registries (as moto) do without it.
        const enforce = command.data.enforcePartMinimum && !this.lenient;
        if (enforce && parts.slice(0, -1).some((length) => length < FIVE_MIB)) {
          return refused("LayerPartTooSmallException");
        }
        const { layerDigest, received } = command.data;
        if (!SHA256.test(layerDigest)) return refused("InvalidLayerException");
        if (received.size !== parts.reduce((a, b) => a + b, 0)) return refused("InvalidLayerException");
        if (received.digest !== layerDigest) return refused("InvalidLayerException");
        if (repository.layers.has(received.digest)) return refused("LayerAlreadyExistsException");
        repository.layers.set(received.digest, received.size);
        this.uploads.delete(command.data.uploadId);
        return ok;
      }
      case "DiscardLayerUpload":
        if (this.#openUpload(repository, command.data.uploadId) === undefined)
          return refused("UploadNotFoundException");
        this.uploads.delete(command.data.uploadId);
        return ok;
      case "MountLayer": {
        if (repository.layers.has(command.data.layerDigest)) return ok;
        const size = this.repositories.get(command.data.fromRepository)?.layers.get(command.data.layerDigest);
        if (size === undefined) return refused("LayersNotFoundException");
        repository.layers.set(command.data.layerDigest, size);
        return ok;
      }
      case "SetRepositoryPolicy":
        if (!isJsonObject(command.data.policyText)) return refused("InvalidParameterException");
        repository.policy = command.data.policyText;
        return ok;
      case "DeleteRepositoryPolicy":
        if (repository.policy === undefined) return refused("RepositoryPolicyNotFoundException");
        repository.policy = undefined;
        return ok;
      case "TagResource": {
        if (command.data.tags.some((tag) => tag.Key.toLowerCase().startsWith("aws:"))) {
          return refused("InvalidTagParameterException");
        }
        const keys = new Set([...repository.resourceTags.keys(), ...command.data.tags.map((tag) => tag.Key)]);
        if (keys.size > MAX_RESOURCE_TAGS) return refused("TooManyTagsException");
        for (const tag of command.data.tags) repository.resourceTags.set(tag.Key, tag.Value);
        return ok;
      }
      case "UntagResource":
        if (command.data.tagKeys.some((key) => key.toLowerCase().startsWith("aws:"))) {
          return refused("InvalidTagParameterException");
        }
        for (const key of command.data.tagKeys) repository.resourceTags.delete(key);
        return ok;
    }
  }

  #createRepository(data: Extract<BerthCommand, { type: "CreateRepository" }>["data"]): ReferenceOutcome {
    if (this.repositories.has(data.repositoryName)) return refused("RepositoryAlreadyExistsException");
    const tags = data.tags ?? [];
    if (new Set(tags.map((tag) => tag.Key)).size > MAX_RESOURCE_TAGS) return refused("TooManyTagsException");
    if (tags.some((tag) => tag.Key.toLowerCase().startsWith("aws:")))
      return refused("InvalidTagParameterException");
    const mutability = data.imageTagMutability ?? "MUTABLE";
    const filters = (data.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter);
    if (!exclusionsFit(mutability, filters)) return refused("InvalidParameterException");
    this.repositories.set(data.repositoryName, {
      name: data.repositoryName,
      mutability,
      exclusions: filters,
      images: [],
      layers: new Map(),
      policy: undefined,
      resourceTags: new Map(tags.map((tag) => [tag.Key, tag.Value])),
    });
    return ok;
  }

  #openUpload(repository: ReferenceRepository, uploadId: UploadId): ReferenceUpload | undefined {
    const upload = this.uploads.get(uploadId);
    return upload?.repository === repository.name ? upload : undefined;
  }

  #putImage(
    repository: ReferenceRepository,
    data: Extract<BerthCommand, { type: "PutImage" }>["data"],
  ): ReferenceOutcome {
    const draft = this.#manifests.get(data.imageManifest);
    if (draft === undefined)
      throw new Error("The reference registry does not know this manifest: call know() first");
    if (data.imageDigest !== undefined && data.imageDigest !== draft.digest) {
      return refused("ImageDigestDoesNotMatchException");
    }
    const tag = data.imageTag;
    const holder = tag === undefined ? undefined : holderOf(repository, tag);
    const frozen = tag !== undefined && tagIsImmutable(repository.mutability, repository.exclusions, tag);
    const existing = repository.images.find((image) => image.digest === draft.digest);
    if (existing !== undefined) {
      if (tag === undefined || holder === existing) return refused("ImageAlreadyExistsException");
      if (holder !== undefined && frozen) return refused("ImageTagAlreadyExistsException");
      moveTag(repository, tag, existing);
      return ok;
    }
    if (holder !== undefined && frozen) return refused("ImageTagAlreadyExistsException");
    const declared = data.imageManifestMediaType;
    if (!draft.mediaTypeInManifest && declared === undefined) return refused("InvalidParameterException");
    if (draft.mediaTypeInManifest && declared !== undefined && declared !== draft.mediaType) {
      return refused("InvalidParameterException");
    }
    if (!this.lenient) {
      if (draft.blobs.some((blob) => !repository.layers.has(blob))) return refused("LayersNotFoundException");
      const digests = new Set(repository.images.map((image) => image.digest));
      if (draft.children.some((child) => !digests.has(child)))
        return refused("ReferencedImagesNotFoundException");
    }
    const image: ReferenceImage = {
      digest: draft.digest,
      manifest: draft.manifest,
      mediaType: draft.mediaType,
      artifactMediaType: draft.artifactMediaType,
      sizeInBytes: draft.imageSizeInBytes,
      pushedAt: data.pushedAt,
      tags: [],
      blobs: draft.blobs,
      children: draft.children,
      subject: draft.subject,
    };
    repository.images.push(image);
    if (tag !== undefined) moveTag(repository, tag, image);
    return ok;
  }

  /** Each id in order, against what the ids before it left. */
  #deleteImages(repository: ReferenceRepository, ids: ReadonlyArray<ImageIdentifier>): ReferenceDeletion {
    const imageIds: Array<{ imageDigest: Digest; imageTag?: ImageTag }> = [];
    const failureCodes: string[] = [];
    const referenced = (image: ReferenceImage) =>
      repository.images.some((other) => other.children.includes(image.digest));
    const remove = (image: ReferenceImage) => repository.images.splice(repository.images.indexOf(image), 1);
    for (const id of ids) {
      if (id.imageDigest === undefined && id.imageTag === undefined) {
        failureCodes.push("MissingDigestAndTag");
        continue;
      }
      if (id.imageDigest !== undefined && !SHA256.test(id.imageDigest)) {
        failureCodes.push("InvalidImageDigest");
        continue;
      }
      if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300)) {
        failureCodes.push("InvalidImageTag");
        continue;
      }
      const tag = id.imageTag === undefined ? undefined : branded(ImageTag, id.imageTag);
      const image =
        tag !== undefined
          ? holderOf(repository, tag)
          : repository.images.find((candidate) => candidate.digest === id.imageDigest);
      if (image === undefined) {
        failureCodes.push("ImageNotFound");
        continue;
      }
      if (id.imageDigest !== undefined && id.imageDigest !== image.digest) {
        failureCodes.push("ImageTagDoesNotMatchDigest");
        continue;
      }
      if (tag !== undefined) {
        const last = image.tags.length === 1;
        if (last && referenced(image)) {
          failureCodes.push("ImageReferencedByManifestList");
          continue;
        }
        image.tags.splice(image.tags.indexOf(tag), 1);
        imageIds.push({ imageDigest: image.digest, imageTag: tag });
        if (last) remove(image);
        continue;
      }
      if (referenced(image)) {
        failureCodes.push("ImageReferencedByManifestList");
        continue;
      }
      if (image.tags.length === 0) imageIds.push({ imageDigest: image.digest });
      for (const t of image.tags) imageIds.push({ imageDigest: image.digest, imageTag: t });
      remove(image);
    }
    return { imageIds, failureCodes };
  }

  // ---- queries ----

  /** Repository names in ECR's order (by name). */
  repositoryNames(): RepositoryName[] {
    return [...this.repositories.keys()].sort();
  }

  images(name: RepositoryName, tagStatus: TagStatus = "ANY"): ReferenceImage[] {
    const images = this.repositories.get(name)?.images ?? [];
    return images.filter((image) =>
      tagStatus === "TAGGED"
        ? image.tags.length > 0
        : tagStatus === "UNTAGGED"
          ? image.tags.length === 0
          : true,
    );
  }

  /** ListImages' answer, all pages together: one id per tag, the digest alone for an untagged image. */
  listImages(
    name: RepositoryName,
    tagStatus: TagStatus = "ANY",
  ): Array<{ imageDigest: Digest; imageTag?: ImageTag }> {
    return this.images(name, tagStatus).flatMap((image) =>
      image.tags.length === 0
        ? [{ imageDigest: image.digest }]
        : image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag })),
    );
  }

  /** DescribeImages' answer, all pages together. */
  describeImages(name: RepositoryName, tagStatus: TagStatus = "ANY"): ReferenceImageDetail[] {
    return this.images(name, tagStatus).map((image) => ({
      registryId: this.registryId,
      repositoryName: name,
      imageDigest: image.digest,
      ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: image.pushedAt,
      imageManifestMediaType: image.mediaType,
      ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
      ...(image.subject === undefined ? {} : { subjectManifestDigest: image.subject }),
    }));
  }

  /** The digests of the images whose subject is `digest` (OCI referrers), in push order. */
  referrers(name: RepositoryName, digest: Digest): Digest[] {
    return this.images(name)
      .filter((image) => image.subject === digest)
      .map((image) => image.digest);
  }
}

const exclusionsFit = (mutability: ImageTagMutability, filters: ReadonlyArray<string>) =>
  mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION"
    ? filters.length > 0
    : filters.length === 0;

const holderOf = (repository: ReferenceRepository, tag: ImageTag) =>
  repository.images.find((image) => image.tags.includes(tag));

/** Gives `tag` to `image`, taking it from whichever image held it. */
const moveTag = (repository: ReferenceRepository, tag: ImageTag, image: ReferenceImage) => {
  const holder = holderOf(repository, tag);
  if (holder !== undefined) holder.tags.splice(holder.tags.indexOf(tag), 1);
  image.tags.push(tag);
};
