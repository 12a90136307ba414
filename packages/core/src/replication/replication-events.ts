/**
 * Events of replication. The configuration goes to the registry's stream; an image's replication
 * round and each destination's outcome go to the source repository's stream (a round starts in
 * the same append as the push or tag that starts it, so no push is ever missed).
 */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { Digest, RegistryId, Timestamp } from "../values/primitives.js";
import type { ReplicationBackfillEvent } from "./replication-backfill-messages.js";
import type { ReplicationConfiguration, ReplicationDestination } from "./replication-values.js";

export type ReplicationConfigurationPut = Event<
  "ReplicationConfigurationPut",
  { readonly registryId: RegistryId; readonly replicationConfiguration: ReplicationConfiguration }
>;
/** Every destination starts IN_PROGRESS; the engine's replication worker records each outcome. */
export type ImageReplicationStarted = Event<
  "ImageReplicationStarted",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly destinations: ReadonlyArray<ReplicationDestination>;
    readonly startedAt: Timestamp;
    /** The backfill that started the round (absent for a push's or a tag's round). */
    readonly replicationBackfillId?: string;
  }
>;
export type ImageReplicationRecorded = Event<
  "ImageReplicationRecorded",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly startedAt: Timestamp;
    readonly destination: ReplicationDestination;
    readonly status: "COMPLETE" | "FAILED";
    readonly failureCode?: string;
  }
>;

export type ReplicationEvent =
  | ReplicationConfigurationPut
  | ImageReplicationStarted
  | ImageReplicationRecorded
  | ReplicationBackfillEvent;
