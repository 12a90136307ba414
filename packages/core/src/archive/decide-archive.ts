/** UpdateImageStorageClass and RecordImagePulls. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { requireImage } from "../images/image-queries.js";
import { decisionsOf } from "../kernel/decision.js";
import type { RegistryError } from "../kernel/registry-errors.js";
import { type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { Digest, ImageStatus, ImageTag, RegistryId, RepositoryName } from "../values/primitives.js";
import type { RecordImagePulls, UpdateImageStorageClass } from "./archive-commands.js";
import type { ArchiveEvent, RepositoryPulls } from "./archive-events.js";
import { pullsToRecord } from "./pull-recording.js";

const { accept } = decisionsOf<ArchiveEvent>();

/**
 * Moves the image to the target storage class at `now`; an image already there stays as it is
 * (nothing recorded), so the call can be repeated. Restoring is immediate (see image-status.ts).
 */
export const decideUpdateImageStorageClass = (state: RegistryState, { data }: UpdateImageStorageClass) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => requireImage(repository, data.imageId)),
    E.chain((image) => {
      if ((image.storageClass ?? "STANDARD") === data.targetStorageClass) return accept();
      const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
      return accept(
        data.targetStorageClass === "ARCHIVE"
          ? { type: "ImageArchived", data: { ...ref, imageDigest: image.digest, archivedAt: data.now } }
          : { type: "ImageActivated", data: { ...ref, imageDigest: image.digest, activatedAt: data.now } },
      );
    }),
  );

/** UpdateImageStorageClass's answer: the image it named and the status the update leaves it in. */
export interface StorageClassUpdate {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageId: { readonly imageDigest: Digest; readonly imageTag?: ImageTag };
  readonly imageStatus: ImageStatus;
}

/** The answer to an update decided on `state` (the state before it). */
export const storageClassUpdateOf = (
  state: RegistryState,
  { data }: UpdateImageStorageClass,
): E.Either<RegistryError, StorageClassUpdate> =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => requireImage(repository, data.imageId)),
    E.map((image) => ({
      registryId: data.registryId,
      repositoryName: data.repositoryName,
      imageId: {
        imageDigest: image.digest,
        ...(data.imageId.imageTag === undefined ? {} : { imageTag: data.imageId.imageTag as ImageTag }),
      },
      imageStatus: data.targetStorageClass === "ARCHIVE" ? "ARCHIVED" : "ACTIVE",
    })),
  );

/**
 * Records the pulls that are due (see pull-recording.ts) against the freshest state, so concurrent
 * pulls of one image record it once: one event for all of them, or none. A repository gone since
 * the pull has nothing to record.
 */
export const decideRecordImagePulls = (state: RegistryState, { data }: RecordImagePulls) => {
  const { registryId, pulledAt, principalArn } = data;
  const due: RepositoryPulls[] = [];
  for (const { repositoryName, imageDigests } of data.pulls) {
    const recording = { registryId, repositoryName, imageDigests, pulledAt };
    const digests = pullsToRecord(
      state,
      principalArn === undefined ? recording : { ...recording, principalArn },
    );
    if (digests.length > 0) due.push({ repositoryName, imageDigests: digests });
  }
  return due.length === 0
    ? accept()
    : accept({ type: "ImagePullsRecorded", data: { registryId, pulls: due, pulledAt } });
};
