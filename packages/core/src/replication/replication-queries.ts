/** DescribeRegistry's replication configuration, DescribeImageReplicationStatus, and the worker's to-do list. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { ImageIdentifier } from "../images/image-identifier.js";
import { requireImage } from "../images/image-queries.js";
import type { RegistryError } from "../kernel/registry-errors.js";
import {
  findRepository,
  type RegistryState,
  registrySettings,
  requireRepository,
} from "../kernel/registry-state.js";
import type { Digest, RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";
import type {
  DestinationStatus,
  ReplicationConfiguration,
  ReplicationDestination,
} from "./replication-values.js";

export const replicationConfigurationOf = (
  state: RegistryState,
  registryId: RegistryId,
): ReplicationConfiguration => registrySettings(state, registryId).replicationConfiguration ?? { rules: [] };

export interface ImageReplicationStatusAnswer {
  readonly repositoryName: RepositoryName;
  readonly imageId: { readonly imageDigest: Digest; readonly imageTag?: string };
  readonly replicationStatuses: ReadonlyArray<DestinationStatus>;
}

/** Per destination of the image's last round; none when its registry never replicated it. */
export const describeImageReplicationStatus = (
  state: RegistryState,
  query: {
    readonly registryId: RegistryId;
    readonly repositoryName: RepositoryName;
    readonly imageId: ImageIdentifier;
  },
): E.Either<RegistryError, ImageReplicationStatusAnswer> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) => requireImage(repository, query.imageId)),
    E.map((image) => ({
      repositoryName: query.repositoryName,
      imageId: {
        imageDigest: image.digest,
        ...(query.imageId.imageTag === undefined ? {} : { imageTag: query.imageId.imageTag }),
      },
      replicationStatuses: image.replication?.destinations ?? [],
    })),
  );

/** One destination of a round still in progress: what the replication worker has to do. */
export interface ReplicationInProgress {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly startedAt: Timestamp;
  readonly destination: ReplicationDestination;
}

/** Every destination in progress, repositories in creation order and images in push order. */
export const replicationsInProgress = (state: RegistryState): ReadonlyArray<ReplicationInProgress> => {
  const pending: ReplicationInProgress[] = [];
  for (const repository of state.repositories.values()) {
    for (const image of repository.images.values()) {
      for (const d of image.replication?.destinations ?? []) {
        if (d.status !== "IN_PROGRESS") continue;
        pending.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageDigest: image.digest,
          startedAt: image.replication!.startedAt,
          destination: { region: d.region, registryId: d.registryId },
        });
      }
    }
  }
  return pending;
};

/** Whether the destination is still in progress in that round (else the worker skips it). */
export const replicationStillInProgress = (state: RegistryState, r: ReplicationInProgress): boolean => {
  const replication = findRepository(state, r.registryId, r.repositoryName)?.images.get(
    r.imageDigest,
  )?.replication;
  return (
    replication?.startedAt === r.startedAt &&
    replication.destinations.some(
      (d) =>
        d.region === r.destination.region &&
        d.registryId === r.destination.registryId &&
        d.status === "IN_PROGRESS",
    )
  );
};
