/**
 * A reference model of ONE registry, written as plainly as possible (arrays, maps, loops) and
 * independently of the core: it interprets the same commands and answers the same queries, so that
 * a model-based test can run random histories through both and compare every answer.
 *
 * It knows manifests only through `ManifestDraft`s (what the arbitraries that wrote a manifest say
 * it references), and computes nothing with the core's code: tag wildcards, digest checks and the
 * order of BatchDeleteImage are reimplemented here from ECR's documented behaviour.
 */
import type {
  BerthCommand,
  Digest,
  ImageTag,
  RegistryId,
  RepositoryName,
  TagStatus,
  UploadId,
} from "@berth/core";
import type { ManifestDraft } from "./manifest-arbitraries.js";
import { deleteReferenceImages, putReferenceImage } from "./reference-images.js";
import { completeReferenceUpload, uploadReferencePart } from "./reference-layer-uploads.js";
import {
  ok,
  type ReferenceImage,
  type ReferenceImageDetail,
  type ReferenceOutcome,
  type ReferenceRepository,
  type ReferenceUpload,
  refused,
} from "./reference-model.js";
import { isRegistryPolicy, isRepositoryPolicy, isReservedTagKey } from "./reference-policies.js";
import { isUnmodelled, type ModelledCommand } from "./reference-scope.js";
import { exclusionsFit } from "./tag-mutability.js";

const MAX_RESOURCE_TAGS = 50;

/** Signing configuration and pull-time update exclusions: settings of the registry as a whole. */
type RegistrySettingCommand = Extract<
  BerthCommand,
  {
    type:
      | "PutSigningConfiguration"
      | "DeleteSigningConfiguration"
      | "RegisterPullTimeUpdateExclusion"
      | "DeregisterPullTimeUpdateExclusion";
  }
>;
/** The commands `execute` answers before it looks for a repository. */
type RegistryLevelCommand =
  | RegistrySettingCommand
  | Extract<
      BerthCommand,
      { type: "PutRegistrySettings" | "PutRegistryPolicy" | "DeleteRegistryPolicy" | "CreateRepository" }
    >;

export class ReferenceRegistry {
  readonly repositories = new Map<RepositoryName, ReferenceRepository>();
  readonly uploads = new Map<UploadId, ReferenceUpload>();
  lenient = false;
  registryPolicy: string | undefined = undefined;
  signingRules: unknown[] | undefined = undefined;
  readonly pullTimeExclusions = new Set<string>();
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
    if (isUnmodelled(command)) throw new Error(`The reference registry does not model ${command.type}`);
    if (command.data.registryId !== this.registryId) {
      throw new Error(`The reference registry models registry ${this.registryId} only`);
    }
    switch (command.type) {
      case "PutRegistrySettings":
        this.lenient = command.data.lenient;
        return ok;
      case "PutRegistryPolicy":
        if (!isRegistryPolicy(command.data.policyText)) return refused("InvalidParameterException");
        this.registryPolicy = command.data.policyText;
        return ok;
      case "DeleteRegistryPolicy":
        if (this.registryPolicy === undefined) return refused("RegistryPolicyNotFoundException");
        this.registryPolicy = undefined;
        return ok;
      case "PutSigningConfiguration":
      case "DeleteSigningConfiguration":
      case "RegisterPullTimeUpdateExclusion":
      case "DeregisterPullTimeUpdateExclusion":
        return this.#executeRegistrySetting(command);
      case "CreateRepository":
        return this.#createRepository(command.data);
      case "CompleteLayerUpload":
        // ECR checks the request first: one layer, one digest.
        if (command.data.layerDigests.length !== 1) return refused("InvalidParameterException");
        break;
      default:
        break;
    }
    const repository = this.repositories.get(command.data.repositoryName);
    if (repository === undefined) return refused("RepositoryNotFoundException");
    return this.#executeIn(repository, command);
  }

  /** A command on a repository that exists. */
  #executeIn(
    repository: ReferenceRepository,
    command: Exclude<ModelledCommand, RegistryLevelCommand>,
  ): ReferenceOutcome {
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
        return putReferenceImage(
          repository,
          this.#draftOf(command.data.imageManifest),
          command.data,
          this.lenient,
        );
      case "DeleteImages":
        return { ok: true, deletion: deleteReferenceImages(repository, command.data.imageIds) };
      case "InitiateLayerUpload":
        if (this.uploads.has(command.data.uploadId)) return refused("InvalidParameterException");
        this.uploads.set(command.data.uploadId, { repository: repository.name, partLengths: [] });
        return ok;
      case "UploadLayerPart": {
        const upload = this.#openUpload(repository, command.data.uploadId);
        return upload === undefined
          ? refused("UploadNotFoundException")
          : uploadReferencePart(upload, command.data);
      }
      case "CompleteLayerUpload": {
        const upload = this.#openUpload(repository, command.data.uploadId);
        if (upload === undefined) return refused("UploadNotFoundException");
        const outcome = completeReferenceUpload(repository, upload, command.data, this.lenient);
        if (outcome.ok) this.uploads.delete(command.data.uploadId);
        return outcome;
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
        if (!isRepositoryPolicy(command.data.policyText)) return refused("InvalidParameterException");
        repository.policy = command.data.policyText;
        return ok;
      case "DeleteRepositoryPolicy":
        if (repository.policy === undefined) return refused("RepositoryPolicyNotFoundException");
        repository.policy = undefined;
        return ok;
      case "TagResource": {
        if (command.data.tags.some((tag) => isReservedTagKey(tag.Key))) {
          return refused("InvalidTagParameterException");
        }
        const keys = new Set([...repository.resourceTags.keys(), ...command.data.tags.map((tag) => tag.Key)]);
        if (keys.size > MAX_RESOURCE_TAGS) return refused("TooManyTagsException");
        for (const tag of command.data.tags) repository.resourceTags.set(tag.Key, tag.Value);
        return ok;
      }
      case "UntagResource":
        if (command.data.tagKeys.some(isReservedTagKey)) {
          return refused("InvalidTagParameterException");
        }
        for (const key of command.data.tagKeys) repository.resourceTags.delete(key);
        return ok;
    }
  }

  /** Signing configuration and pull-time update exclusions: settings of the registry. */
  #executeRegistrySetting(command: RegistrySettingCommand): ReferenceOutcome {
    switch (command.type) {
      case "PutSigningConfiguration":
        this.signingRules = [...command.data.rules];
        return ok;
      case "DeleteSigningConfiguration":
        if (this.signingRules === undefined) return refused("SigningConfigurationNotFoundException");
        this.signingRules = undefined;
        return ok;
      case "RegisterPullTimeUpdateExclusion":
        if (this.pullTimeExclusions.has(command.data.principalArn))
          return refused("ExclusionAlreadyExistsException");
        if (this.pullTimeExclusions.size >= 100) return refused("LimitExceededException");
        this.pullTimeExclusions.add(command.data.principalArn);
        return ok;
      case "DeregisterPullTimeUpdateExclusion":
        if (!this.pullTimeExclusions.delete(command.data.principalArn))
          return refused("ExclusionNotFoundException");
        return ok;
    }
  }

  #createRepository(data: Extract<BerthCommand, { type: "CreateRepository" }>["data"]): ReferenceOutcome {
    if (this.repositories.has(data.repositoryName)) return refused("RepositoryAlreadyExistsException");
    const tags = data.tags ?? [];
    if (new Set(tags.map((tag) => tag.Key)).size > MAX_RESOURCE_TAGS) return refused("TooManyTagsException");
    if (tags.some((tag) => isReservedTagKey(tag.Key))) return refused("InvalidTagParameterException");
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

  #draftOf(manifest: string): ManifestDraft {
    const draft = this.#manifests.get(manifest);
    if (draft === undefined)
      throw new Error("The reference registry does not know this manifest: call know() first");
    return draft;
  }

  #openUpload(repository: ReferenceRepository, uploadId: UploadId): ReferenceUpload | undefined {
    const upload = this.uploads.get(uploadId);
    return upload?.repository === repository.name ? upload : undefined;
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
      // The model neither pulls nor archives: every image is ACTIVE, none has a recorded pull.
      imageStatus: "ACTIVE" as const,
    }));
  }

  /** The digests of the images whose subject is `digest` (OCI referrers), in push order. */
  referrers(name: RepositoryName, digest: Digest): Digest[] {
    return this.images(name)
      .filter((image) => image.subject === digest)
      .map((image) => image.digest);
  }
}
