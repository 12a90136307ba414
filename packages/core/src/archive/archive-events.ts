/** Events of pull times and the archive storage class, all in the repository's stream. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** A pull of the image, recorded at most once a day (ECR's lastRecordedPullTime), not one per pull. */
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

export type ArchiveEvent = ImagePullRecorded | ImageArchived | ImageActivated;
