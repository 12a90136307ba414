/**
 * PutReplicationConfiguration (checked as ECR checks it beyond the model's lengths), the rounds a
 * push or a tag starts, and recording a destination's outcome.
 */
import type { ImagePushed, ImageTagged } from "../images/image-events.js";
import { decisionsOf } from "../kernel/decision.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, registrySettings } from "../kernel/registry-state.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";
import { accountOf, isAwsRegion } from "../values/registry-key.js";
import type { PutReplicationConfiguration, RecordImageReplication } from "./replication-commands.js";
import type { ImageReplicationStarted, ReplicationEvent } from "./replication-events.js";
import {
  destinationsOf,
  MAX_REPLICATION_DESTINATIONS,
  type ReplicationConfiguration,
  type ReplicationDestination,
  sameDestination,
} from "./replication-values.js";

const { accept, refuse } = decisionsOf<ReplicationEvent>();

const invalid = (constraint: string) =>
  RegistryErrors.invalidParameter(
    `Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: '${constraint}'`,
  );

/** What makes a configuration unusable for the registry `registryId` (a key) of `region`, or undefined. */
export const replicationConfigurationError = (
  configuration: ReplicationConfiguration,
  registryId: RegistryId,
  region: string,
): RegistryError | undefined => {
  const account = accountOf(registryId);
  const unique: ReplicationDestination[] = [];
  for (const rule of configuration.rules) {
    if (rule.destinations.length === 0)
      return invalid("A replication rule must have at least one destination");
    const inRule: ReplicationDestination[] = [];
    for (const d of rule.destinations) {
      if (!isAwsRegion(d.region))
        return invalid(`Replication destination region '${d.region}' is not a region`);
      if (d.region === region && d.registryId === account) {
        return invalid(`Replication destination '${region}' in registry '${account}' is the source registry`);
      }
      if (inRule.some((seen) => sameDestination(seen, d))) {
        return invalid(
          `Replication destination '${d.region}' in registry '${d.registryId}' is repeated in a rule`,
        );
      }
      inRule.push(d);
      if (!unique.some((seen) => sameDestination(seen, d))) unique.push(d);
    }
  }
  return unique.length > MAX_REPLICATION_DESTINATIONS
    ? invalid(
        `A replication configuration may have at most ${MAX_REPLICATION_DESTINATIONS} unique destinations`,
      )
    : undefined;
};

/** Only the members ECR keeps: an empty filter list is the same as none. */
const normalized = (configuration: ReplicationConfiguration): ReplicationConfiguration => ({
  rules: configuration.rules.map((rule) => ({
    destinations: rule.destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
    ...(rule.repositoryFilters === undefined || rule.repositoryFilters.length === 0
      ? {}
      : {
          repositoryFilters: rule.repositoryFilters.map((f) => ({
            filter: f.filter,
            filterType: f.filterType,
          })),
        }),
  })),
});

export const decidePutReplicationConfiguration = (
  state: RegistryState,
  { data }: PutReplicationConfiguration,
) => {
  const error = replicationConfigurationError(data.replicationConfiguration, data.registryId, data.region);
  if (error !== undefined) return refuse(error);
  const replicationConfiguration = normalized(data.replicationConfiguration);
  const current = registrySettings(state, data.registryId).replicationConfiguration;
  return current !== undefined && JSON.stringify(current) === JSON.stringify(replicationConfiguration)
    ? accept()
    : accept({
        type: "ReplicationConfigurationPut",
        data: { registryId: data.registryId, replicationConfiguration },
      });
};

const isImageEvent = (event: { readonly type: string }): event is ImagePushed | ImageTagged =>
  event.type === "ImagePushed" || event.type === "ImageTagged";

/**
 * The rounds a decision starts besides its own events: an image pushed or tagged in a repository
 * its registry's configuration covers starts one, in the same append. A replicated image is not
 * replicated again (`replicating`: the decision is a ReplicateImage), so rules never chain.
 */
export const replicationsOnPush = (
  state: RegistryState,
  events: ReadonlyArray<{ readonly type: string }>,
  replicating: boolean,
): ReadonlyArray<ImageReplicationStarted> => {
  if (replicating) return [];
  const started: ImageReplicationStarted[] = [];
  for (const event of events) {
    if (!isImageEvent(event)) continue;
    const { registryId, repositoryName, imageDigest } = event.data;
    const configuration = registrySettings(state, registryId).replicationConfiguration;
    const destinations = destinationsOf(configuration, repositoryName);
    if (destinations.length === 0 || findRepository(state, registryId, repositoryName) === undefined)
      continue;
    const at = event.type === "ImagePushed" ? event.data.pushedAt : event.data.taggedAt;
    // A round is named by its start: strictly after the image's last one, even within a millisecond,
    // so an outcome recorded for an older round never ends a newer one.
    const previous = findRepository(state, registryId, repositoryName)?.images.get(imageDigest)?.replication;
    const startedAt = (
      previous === undefined || at > previous.startedAt ? at : previous.startedAt + 1
    ) as Timestamp;
    const same = started.findIndex(
      (s) => s.data.repositoryName === repositoryName && s.data.imageDigest === imageDigest,
    );
    if (same >= 0) started.splice(same, 1);
    started.push({
      type: "ImageReplicationStarted",
      data: { registryId, repositoryName, imageDigest, destinations, startedAt },
    });
  }
  return started;
};

export const decideRecordImageReplication = (state: RegistryState, { data }: RecordImageReplication) => {
  const replication = findRepository(state, data.registryId, data.repositoryName)?.images.get(
    data.imageDigest,
  )?.replication;
  const current = replication?.destinations.find((d) => sameDestination(d, data.destination));
  if (replication?.startedAt !== data.startedAt || current?.status !== "IN_PROGRESS") return accept();
  return accept({
    type: "ImageReplicationRecorded",
    data: {
      registryId: data.registryId,
      repositoryName: data.repositoryName,
      imageDigest: data.imageDigest,
      startedAt: data.startedAt,
      destination: { region: data.destination.region, registryId: data.destination.registryId },
      status: data.outcome.status,
      ...(data.outcome.status === "FAILED" ? { failureCode: data.outcome.failureCode } : {}),
    },
  });
};
