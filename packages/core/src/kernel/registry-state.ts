/**
 * The registry's state, folded from events. `evolve` and `fold` build it; `decide` and the queries
 * read it. The shapes are declared once, mutable (the `…Draft` types that only the fold writes),
 * and exported read-only (`RegistryState` and friends) to everyone else.
 */
import * as E from "fp-ts/lib/Either.js";
import type { AccountSettings } from "../account-settings/account-setting-values.js";
import type { CreationTemplate } from "../creation-templates/template-values.js";
import type { PullThroughCacheRule } from "../pull-through-cache/cache-rule-values.js";
import type { ReplicationBackfillState } from "../replication/replication-backfill-messages.js";
import type { ImageReplication, ReplicationConfiguration } from "../replication/replication-values.js";
import type { ImageScan, RegistryScanningConfiguration } from "../scanning/scan-values.js";
import type {
  ByteOffset,
  Digest,
  EncryptionType,
  ImageStorageClass,
  ImageTag,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  MediaType,
  RegistryId,
  RepositoryName,
  Timestamp,
  UploadId,
} from "../values/primitives.js";
import { type RegistryError, RegistryErrors } from "./registry-errors.js";

export interface ImageDraft {
  readonly digest: Digest;
  /*
   * No manifest text: the log keeps it (ImagePushed), and the engine reads it from there when an
   * image is pulled, so memory grows with the images' metadata, not with their manifests.
   */
  readonly manifestMediaType: MediaType;
  readonly artifactMediaType: MediaType | undefined;
  readonly sizeInBytes: number;
  readonly pushedAt: Timestamp;
  /**
   * Tags on this image, in the order they came (`RepositoryDraft.tags` is the inverse map): the tag
   * itself when there is one, else an array (NO_TAGS when none). Read with images/image-tags.ts's
   * `imageTags`. Most images have one tag, and a one-element array costs 56 bytes. Replaced whole,
   * never changed in place.
   */
  tagged: ImageTag | ReadonlyArray<ImageTag>;
  /** Config and layers this manifest references. */
  readonly blobs: ReadonlyArray<Digest>;
  /**
   * Manifests this index references; absent when there are none (an image, not an index). Members
   * marked "absent" are left out of the images that do not have them: 8 bytes each, on most images.
   */
  readonly children?: ReadonlyArray<Digest>;
  /** The manifest this one refers to (OCI `subject`); absent when there is none. */
  readonly subject?: Digest;
  /** What the OCI referrers API lists of a manifest that has a subject (absent when it has none). */
  readonly referrer?: ReferrerFacts;
  /** Push order within the repository: pagination tokens point at it. */
  readonly seq: number;
  /** The image's last scan, if it was ever scanned (replaced whole, never changed in place). */
  scan?: ImageScan;
  /** When a pull was last recorded (at most once a day, see archive/pull-recording.ts); never: absent. */
  lastPulledAt?: Timestamp;
  /**
   * ECR's storage class: an ARCHIVE image is listed but cannot be pulled until it is restored.
   * Absent until the image first goes to the archive: STANDARD (archive/image-status.ts).
   */
  storageClass?: ImageStorageClass;
  /** When the image last went to the archive (ECR's lastArchivedAt; lifecycle's sinceImageTransitioned); never: absent. */
  lastArchivedAt?: Timestamp;
  /** When the image was last restored from the archive (ECR's lastActivatedAt); never: absent. */
  lastActivatedAt?: Timestamp;
  /** The image's last replication round, if its registry replicates it (replaced whole). */
  replication?: ImageReplication;
}

/** The manifest's own facts the referrers API answers: its size in bytes and its annotations. */
export interface ReferrerFacts {
  readonly manifestSize: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A layer of a repository, as the layer queries answer it: its size is the blob index's (content
 * addressed, so the same in every repository), its media type the repository's own.
 */
export interface LayerState {
  readonly digest: Digest;
  readonly size: ByteOffset;
  /** What the first manifest referencing the layer calls it; none until one does. */
  readonly mediaType?: MediaType;
}

/**
 * Images in push order, for pagination that costs O(log n + page) and whose tokens stay valid
 * across deletions: `seqs` is ascending; a deleted image leaves its slot until the next compaction.
 */
export interface PushOrderDraft {
  seqs: number[];
  digests: Digest[];
  dead: number;
}

export interface RepositoryDraft {
  readonly registryId: RegistryId;
  readonly name: RepositoryName;
  /**
   * `[repositoryKey(registryId, name)]`: the `linkedBy` of every blob only this repository links,
   * one array they all share rather than a key and an array each.
   */
  readonly soleLinker: ReadonlyArray<string>;
  readonly createdAt: Timestamp;
  imageTagMutability: ImageTagMutability;
  imageTagMutabilityExclusionFilters: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  scanOnPush: boolean;
  readonly encryptionType: EncryptionType;
  readonly kmsKey: string | undefined;
  readonly images: Map<Digest, ImageDraft>;
  readonly tags: Map<ImageTag, Digest>;
  readonly pushOrder: PushOrderDraft;
  nextSeq: number;
  /**
   * The blobs this repository links (uploaded or mounted layers and configs), each with what the
   * first manifest referencing it calls it, `null` until one does. Only that: the size is the blob
   * index's, and an object per layer would cost 48 bytes more (docs/BENCHMARKS.md).
   */
  readonly layers: Map<Digest, MediaType | null>;
  /** How many images reference each blob: a layer no image references is "inaccessible". */
  readonly blobReferences: Map<Digest, number>;
  /** How many indexes reference each manifest: such a manifest cannot be deleted on its own. */
  readonly childReferences: Map<Digest, number>;
  /** Manifests whose `subject` is the key (the OCI referrers of an image). */
  readonly referrers: Map<Digest, Set<Digest>>;
  readonly openUploads: Map<UploadId, Timestamp>;
  /** Sessions closed by their deadline, and when: so a late part hears that its upload expired. */
  readonly expiredUploads: Map<UploadId, Timestamp>;
  policyText: string | undefined;
  readonly resourceTags: Map<string, string>;
  lifecyclePolicyText: string | undefined;
  /** When the lifecycle policy was last applied (ECR's lastEvaluatedAt). */
  lifecycleEvaluatedAt: Timestamp | undefined;
  lifecyclePreview: LifecyclePreviewDraft | undefined;
}

/** What a lifecycle policy does to one image: recorded by a preview, carried by an application. */
export interface LifecycleOutcome {
  readonly imageDigest: Digest;
  readonly imageTags: ReadonlyArray<ImageTag>;
  readonly imagePushedAt: Timestamp;
  /** The image's storage class when evaluated; absent in previews recorded before archiving existed. */
  readonly storageClass?: "standard" | "archive";
  readonly appliedRulePriority: number;
  readonly action:
    | { readonly type: "expire" }
    | { readonly type: "transition"; readonly targetStorageClass: "archive" };
}

/** The last lifecycle policy preview of a repository: the policy it ran and what it found. */
export interface LifecyclePreviewDraft {
  readonly lifecyclePolicyText: string;
  readonly results: ReadonlyArray<LifecycleOutcome>;
}

export interface UploadDraft {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly uploadId: UploadId;
  /** The deadline: at and after it the session takes nothing more and the sweep closes it. */
  readonly expiresAt: Timestamp;
  bytesReceived: ByteOffset;
  partCount: number;
  lastPartLength: number;
  /** The first part, if any, that is under 5 MiB and was followed by another part. */
  shortPartBeforeLast: { readonly partNumber: number; readonly size: number } | undefined;
}

export interface SigningRuleState {
  readonly signingProfileArn: string;
  readonly repositoryFilters?: ReadonlyArray<{
    readonly filter: string;
    readonly filterType: "WILDCARD_MATCH";
  }>;
}

export interface PullTimeUpdateExclusionState {
  readonly principalArn: string;
  readonly createdAt: Timestamp;
}

/**
 * What the registry knows of one blob (global and content-addressed, whatever registry or
 * repository links it), for garbage collection. Entries are replaced, never written in place, so
 * copies of the state may share them. Members that most blobs do not need are absent, not
 * undefined (`blobEntry` in garbage-collection/blob-references.ts builds every entry): a
 * referenced blob is four members, 56 bytes.
 */
export interface BlobEntry {
  /** The index's key, the one copy of the string images share (images/shared-values.ts). */
  readonly digest: Digest;
  /** As linked (0 for a blob only referenced, never uploaded: lenient registries allow that). */
  readonly size: number;
  /** `repositoryKey`s of the repositories that link it as a layer (an array: mostly one). */
  readonly linkedBy: ReadonlyArray<string>;
  /** How many image references (config or layer) it has, over every repository. */
  readonly references: number;
  /**
   * When its last reference went (or it was linked, or retained, since): present exactly while
   * `references` is 0, the only time it means anything.
   */
  readonly idleSince?: Timestamp;
  /** Condemned: `BlobCollected` is recorded and its bytes are being deleted. Absent: not condemned. */
  readonly collected?: true;
  /**
   * Retentions: an upload (by its id) or a mount (by a fresh id) about to link the blob, each until
   * it links it, closes, or reaches the time given. A retained blob is never collected. Absent when
   * there is none (most blobs: a map each would be most of the index's memory).
   */
  readonly retainedFor?: Map<string, Timestamp>;
}

export interface RegistrySettingsDraft {
  policyText: string | undefined;
  lenient: boolean;
  /** Absent until set: ECR's default applies (scanning/, account-settings/). Replaced whole. */
  scanningConfiguration?: RegistryScanningConfiguration;
  accountSettings?: AccountSettings;
  /** Replaced whole, never mutated in place (the copy-on-write fold shares it). */
  signingRules: ReadonlyArray<SigningRuleState> | undefined;
  /** In registration order; replaced whole, never mutated in place. */
  pullTimeUpdateExclusions: ReadonlyArray<PullTimeUpdateExclusionState>;
  /** Pull-through cache rules in creation order; absent until one is created. Replaced whole. */
  pullThroughCacheRules?: ReadonlyArray<PullThroughCacheRule>;
  /** Repository creation templates in prefix order; absent until the first. Replaced whole. */
  creationTemplates?: ReadonlyArray<CreationTemplate>;
  /** PutReplicationConfiguration's configuration; absent until the first. Replaced whole. */
  replicationConfiguration?: ReplicationConfiguration;
  /** Replication backfills in start order; absent until the first. Replaced whole. */
  replicationBackfills?: ReadonlyArray<ReplicationBackfillState>;
}

export interface RegistryDraft {
  /** Keyed by `repositoryKey(registryId, name)`. */
  readonly repositories: Map<string, RepositoryDraft>;
  readonly registries: Map<RegistryId, RegistrySettingsDraft>;
  readonly uploads: Map<UploadId, UploadDraft>;
  /** Closed sessions whose bytes may still be in the blob store (their registry, for the stream). */
  readonly releasableUploads: Map<UploadId, RegistryId>;
  /** Every blob linked or referenced anywhere, or condemned and not yet deleted. */
  readonly blobs: Map<Digest, BlobEntry>;
  /** The blob each retention holds, so the event that ends it needs to name only the retention. */
  readonly blobRetentions: Map<string, Digest>;
}

/** Read-only view of a draft: maps, sets and arrays lose their mutators, all the way down. */
export type ReadonlyView<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends Map<infer K, infer V>
    ? ReadonlyMap<K, ReadonlyView<V>>
    : T extends Set<infer U>
      ? ReadonlySet<U>
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<ReadonlyView<U>>
        : { readonly [P in keyof T]: ReadonlyView<T[P]> };

export type RegistryState = ReadonlyView<RegistryDraft>;
export type RepositoryState = ReadonlyView<RepositoryDraft>;
export type ImageState = ReadonlyView<ImageDraft>;
export type UploadState = ReadonlyView<UploadDraft>;
export type BlobState = ReadonlyView<BlobEntry>;
export type RegistrySettings = ReadonlyView<RegistrySettingsDraft>;

export const repositoryKey = (registryId: RegistryId, name: RepositoryName): string =>
  `${registryId}/${name}`;

export const emptyRegistryDraft = (): RegistryDraft => ({
  repositories: new Map(),
  registries: new Map(),
  uploads: new Map(),
  releasableUploads: new Map(),
  blobs: new Map(),
  blobRetentions: new Map(),
});

export const initialState: RegistryState = emptyRegistryDraft();

export const DEFAULT_REGISTRY_SETTINGS: RegistrySettings = {
  policyText: undefined,
  lenient: false,
  signingRules: undefined,
  pullTimeUpdateExclusions: [],
};

export const findRepository = (
  state: RegistryState,
  registryId: RegistryId,
  name: RepositoryName,
): RepositoryState | undefined => state.repositories.get(repositoryKey(registryId, name));

export const registrySettings = (state: RegistryState, registryId: RegistryId): RegistrySettings =>
  state.registries.get(registryId) ?? DEFAULT_REGISTRY_SETTINGS;

/** The repository a command or query names, or RepositoryNotFoundException. */
export const requireRepository = (
  state: RegistryState,
  ref: { readonly registryId: RegistryId; readonly repositoryName: RepositoryName },
): E.Either<RegistryError, RepositoryState> => {
  const repository = findRepository(state, ref.registryId, ref.repositoryName);
  return repository === undefined
    ? E.left(RegistryErrors.repositoryNotFound(ref.registryId, ref.repositoryName))
    : E.right(repository);
};

/** The settings draft of a registry, created with the defaults on first write. */
export const registrySettingsDraft = (
  draft: RegistryDraft,
  registryId: RegistryId,
): RegistrySettingsDraft => {
  let settings = draft.registries.get(registryId);
  if (settings === undefined) {
    settings = {
      policyText: undefined,
      lenient: false,
      signingRules: undefined,
      pullTimeUpdateExclusions: [],
    };
    draft.registries.set(registryId, settings);
  }
  return settings;
};

/**
 * An evolve step for an event about one repository: it runs on that repository's draft, and an
 * event whose repository does not exist (any more) changes nothing, which keeps `evolve` total.
 */
export const repositoryStep =
  <
    Event extends {
      readonly data: { readonly registryId: RegistryId; readonly repositoryName: RepositoryName };
    },
  >(
    step: (repository: RepositoryDraft, event: Event, draft: RegistryDraft) => void,
  ) =>
  (draft: RegistryDraft, event: Event): void => {
    const repository = draft.repositories.get(
      repositoryKey(event.data.registryId, event.data.repositoryName),
    );
    if (repository !== undefined) step(repository, event, draft);
  };
