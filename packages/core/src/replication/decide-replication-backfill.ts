/**
 * StartReplicationBackfill, its per-repository rounds, its preparation's end, and
 * StopReplicationBackfill. A backfill starts a round (ImageReplicationStarted naming it, to its one
 * destination) for each image of a covered repository that is neither replicated there nor being
 * replicated there; the replication worker copies them as it copies a push's rounds.
 */
import * as E from "fp-ts/lib/Either.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import {
  findRepository,
  type RegistrySettingsDraft,
  type RegistryState,
  registrySettings,
} from "../kernel/registry-state.js";
import type { Timestamp } from "../values/primitives.js";
import type {
  PrepareReplicationBackfill,
  ReplicationBackfillState,
  StartBackfillReplications,
  StartReplicationBackfill,
  StopReplicationBackfill,
} from "./replication-backfill-messages.js";
import {
  findReplicationBackfill,
  isTerminalBackfillStatus,
  replicationBackfillView,
} from "./replication-backfill-queries.js";
import type { ImageReplicationStarted, ReplicationEvent } from "./replication-events.js";
import { destinationsOf, sameDestination } from "./replication-values.js";

const { accept, refuse } = decisionsOf<ReplicationEvent>();

export const decideStartReplicationBackfill = (state: RegistryState, { data }: StartReplicationBackfill) => {
  const settings = registrySettings(state, data.registryId);
  const named = (settings.replicationConfiguration?.rules ?? []).some((rule) =>
    rule.destinations.some((d) => sameDestination(d, data.destination)),
  );
  if (!named) {
    return refuse(
      RegistryErrors.invalidParameter(
        `The destination '${data.destination.region}' in registry '${data.destination.registryId}' is not in the registry's replication configuration`,
      ),
    );
  }
  const running = (settings.replicationBackfills ?? []).find(
    (b) =>
      b.destination.region === data.destination.region &&
      !isTerminalBackfillStatus(replicationBackfillView(state, data.registryId, b).status),
  );
  if (running !== undefined) {
    return refuse(
      RegistryErrors.replicationBackfill(
        "InProgress",
        `The replication backfill '${running.replicationBackfillId}' to region '${data.destination.region}' is still in progress`,
      ),
    );
  }
  return accept({
    type: "ReplicationBackfillStarted",
    data: {
      registryId: data.registryId,
      replicationBackfillId: data.replicationBackfillId,
      destination: { region: data.destination.region, registryId: data.destination.registryId },
      startedAt: data.startedAt,
    },
  });
};

const preparing = (
  state: RegistryState,
  registryId: StartReplicationBackfill["data"]["registryId"],
  id: string,
) => {
  const found = findReplicationBackfill(state, registryId, id);
  return E.isRight(found) && !found.right.prepared && found.right.stoppedAt === undefined
    ? found.right
    : undefined;
};

export const decideStartBackfillReplications = (
  state: RegistryState,
  { data }: StartBackfillReplications,
) => {
  const backfill = preparing(state, data.registryId, data.replicationBackfillId);
  const repository = findRepository(state, data.registryId, data.repositoryName);
  const configuration = registrySettings(state, data.registryId).replicationConfiguration;
  if (
    backfill === undefined ||
    repository === undefined ||
    !destinationsOf(configuration, data.repositoryName).some((d) => sameDestination(d, backfill.destination))
  )
    return accept();
  const started: ImageReplicationStarted[] = [];
  for (const image of repository.images.values()) {
    const previous = image.replication;
    const there = previous?.destinations.find((d) => sameDestination(d, backfill.destination));
    if (there !== undefined && there.status !== "FAILED") continue;
    const startedAt = (
      previous === undefined || data.at > previous.startedAt ? data.at : previous.startedAt + 1
    ) as Timestamp;
    started.push({
      type: "ImageReplicationStarted",
      data: {
        registryId: data.registryId,
        repositoryName: data.repositoryName,
        imageDigest: image.digest,
        destinations: [backfill.destination],
        startedAt,
        replicationBackfillId: backfill.replicationBackfillId,
      },
    });
  }
  return accept(...started);
};

export const decidePrepareReplicationBackfill = (
  state: RegistryState,
  { data }: PrepareReplicationBackfill,
) =>
  preparing(state, data.registryId, data.replicationBackfillId) === undefined
    ? accept()
    : accept({ type: "ReplicationBackfillPrepared", data: { ...data } });

export const decideStopReplicationBackfill = (state: RegistryState, { data }: StopReplicationBackfill) => {
  const found = findReplicationBackfill(state, data.registryId, data.replicationBackfillId);
  if (E.isLeft(found)) return found;
  const { status } = replicationBackfillView(state, data.registryId, found.right);
  if (isTerminalBackfillStatus(status) || status === "STOPPING") {
    return refuse(
      RegistryErrors.replicationBackfill(
        "InvalidStatus",
        `The replication backfill '${data.replicationBackfillId}' is ${status} and cannot be stopped`,
      ),
    );
  }
  return accept({ type: "ReplicationBackfillStopped", data: { ...data } });
};

/** The evolve steps of the registry's backfill list (replaced whole, never mutated in place). */
export const evolveBackfills = (
  settings: RegistrySettingsDraft,
  change: (backfills: ReadonlyArray<ReplicationBackfillState>) => ReadonlyArray<ReplicationBackfillState>,
): void => {
  settings.replicationBackfills = change(settings.replicationBackfills ?? []);
};
