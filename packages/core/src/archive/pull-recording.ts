/**
 * Which pulls are recorded: ECR's lastRecordedPullTime is refreshed at most once every 24 hours, so a
 * pull of an image whose recorded pull is younger than that records nothing. A pure function of the
 * state and the pull's time: an engine asks it after answering a pull, and writes only when it
 * names an image, so a busy image costs one event a day, not one per pull.
 */
import type { RepositoryRef } from "../kernel/message.js";
import { findRepository, type ImageState, type RegistryState } from "../kernel/registry-state.js";
import { isPullTimeExcluded } from "../pull-time-exclusions/exclusion-queries.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** ECR refreshes a recorded pull time at most once in this long. */
export const PULL_RECORD_INTERVAL_MS = 86_400_000;

/** Pulls of images of one repository at one time. */
export interface PullRecording extends RepositoryRef {
  readonly imageDigests: ReadonlyArray<Digest>;
  readonly pulledAt: Timestamp;
  /**
   * Who pulled, known only for a caller with credentials (a signed ECR call): a pull by a principal
   * of the registry's pull-time update exclusions records nothing.
   */
  readonly principalArn?: string;
}

/** Never recorded, or recorded a day or more before `at`. */
export const isPullRecordDue = (image: ImageState, at: Timestamp): boolean =>
  image.lastPulledAt === undefined || at - image.lastPulledAt >= PULL_RECORD_INTERVAL_MS;

/** The images among those pulled whose pull is recorded now (each once), in the order pulled. */
export const pullsToRecord = (state: RegistryState, pulls: PullRecording): ReadonlyArray<Digest> => {
  const repository = findRepository(state, pulls.registryId, pulls.repositoryName);
  if (repository === undefined) return [];
  if (pulls.principalArn !== undefined && isPullTimeExcluded(state, pulls.registryId, pulls.principalArn))
    return [];
  const due = pulls.imageDigests.filter((digest) => {
    const image = repository.images.get(digest);
    return image !== undefined && isPullRecordDue(image, pulls.pulledAt);
  });
  return [...new Set(due)];
};
