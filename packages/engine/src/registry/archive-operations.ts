/** The archive storage class (UpdateImageStorageClass) and the pull times pulls record. */
import {
  type ImageIdentifier,
  type ImageStorageClass,
  type StorageClassUpdate,
  storageClassUpdateOf,
  type UpdateImageStorageClass,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { RegistryRuntime, RepositoryInput, Result } from "./registry-runtime.js";

export interface ArchiveOperations {
  /**
   * ECR UpdateImageStorageClass: ARCHIVE makes the image unpullable (still listed with
   * `filter.imageStatus` ARCHIVED or ANY); STANDARD restores it, at once (ACTIVE, never ACTIVATING).
   * An image already in the target class is left as it is.
   */
  updateImageStorageClass(
    input: RepositoryInput & {
      readonly imageId: ImageIdentifier;
      readonly targetStorageClass: ImageStorageClass;
    },
  ): Result<StorageClassUpdate>;
  /** Resolves once the pull times of every pull answered so far are recorded (tests, shutdown). */
  pullsRecorded(): Promise<void>;
}

export const archiveOperations = (runtime: RegistryRuntime): ArchiveOperations => {
  const { now, refOf, runObserving, pulls } = runtime;
  return {
    updateImageStorageClass: (input) => {
      const command: UpdateImageStorageClass = {
        type: "UpdateImageStorageClass",
        data: {
          ...refOf(input),
          imageId: input.imageId,
          targetStorageClass: input.targetStorageClass,
          now: now(),
        },
      };
      // The answer is read from the state the update was decided on, where the image was found.
      return runObserving(
        command,
        (before) => storageClassUpdateOf(before, command),
        (update) => {
          if (E.isLeft(update))
            throw new Error(`decided on a state without the image: ${update.left.message}`);
          return update.right;
        },
      );
    },
    pullsRecorded: () => pulls.settled(),
  };
};
