/**
 * Events of pull times and the archive storage class: pull records in the registry's pulls stream,
 * storage classes in the repository's.
 */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { Digest, RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";

/** Images of one repository, as a pull record names them. */
export interface RepositoryPulls {
  readonly repositoryName: RepositoryName;
  readonly imageDigests: ReadonlyArray<Digest>;
}

/**
 * Pulls of images of any repositories of the registry, recorded at `pulledAt`: each image at most
 * once a day (ECR's lastRecordedPullTime), not once per pull. One event for everything a process
 * pulled meanwhile, so a burst of first pulls across repositories costs one append, not one each.
 */
export type ImagePullsRecorded = Event<
  "ImagePullsRecorded",
  {
    readonly registryId: RegistryId;
    readonly pulls: ReadonlyArray<RepositoryPulls>;
    readonly pulledAt: Timestamp;
  }
>;

/** A pull of one image, in its repository's stream: what Berth recorded before ImagePullsRecorded. */
export type ImagePullRecorded = Event<
  "ImagePullRecorded",
  RepositoryRef & { readonly imageDigest: Digest; readonly pulledAt: Timestamp }
>;
/** The image went to the ARCHIVE storage class by UpdateImageStorageClass: listed, not pullable. */
export type ImageArchived = Event<
  "ImageArchived",
  RepositoryRef & { readonly imageDigest: Digest; readonly archivedAt: Timestamp }
>;
/** The image came back to the STANDARD storage class: pullable again. */
export type ImageActivated = Event<
  "ImageActivated",
  RepositoryRef & { readonly imageDigest: Digest; readonly activatedAt: Timestamp }
>;

export type ArchiveEvent = ImagePullsRecorded | ImagePullRecorded | ImageArchived | ImageActivated;
