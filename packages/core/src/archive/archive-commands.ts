/** Commands of pull times and the archive storage class. */
import type { ImageIdentifier } from "../images/image-identifier.js";
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { ImageStorageClass, RegistryId, Timestamp } from "../values/primitives.js";
import type { RepositoryPulls } from "./archive-events.js";

/** ECR's UpdateImageStorageClass: to ARCHIVE, or back to STANDARD, at `now`. */
export type UpdateImageStorageClass = Command<
  "UpdateImageStorageClass",
  RepositoryRef & {
    readonly imageId: ImageIdentifier;
    readonly targetStorageClass: ImageStorageClass;
    readonly now: Timestamp;
  }
>;

/**
 * The images just pulled (BatchGetImage, a `/v2` manifest GET), in any repositories of the registry,
 * for the core to record the pulls that are due: an engine sends it only when `pullsToRecord` names
 * some, so most pulls write nothing, and gathers the pulls of a moment into one command.
 */
export type RecordImagePulls = Command<
  "RecordImagePulls",
  {
    readonly registryId: RegistryId;
    readonly pulls: ReadonlyArray<RepositoryPulls>;
    readonly pulledAt: Timestamp;
    /** Who pulled, when the front end knows it (a signed ECR call): see `PullRecording.puller`. */
    readonly principalArn?: string;
  }
>;

export type ArchiveCommand = UpdateImageStorageClass | RecordImagePulls;
