/**
 * Replication backfill: commands, events and the state a registry keeps of each backfill. A backfill
 * is recorded in the registry's stream; the rounds it starts (ImageReplicationStarted naming it) go
 * to each repository's stream, one repository per command, so every decision stays in one stream.
 */
import type { Command, Event, RepositoryRef } from "../kernel/message.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";
import type { ReplicationDestination } from "./replication-values.js";

/** What the registry keeps of a backfill; its status and progress are derived from its rounds. */
export interface ReplicationBackfillState {
  readonly replicationBackfillId: string;
  readonly destination: ReplicationDestination;
  readonly startedAt: Timestamp;
  /** Every repository it covers has had its rounds started (it is past PREPARING). */
  readonly prepared: boolean;
  readonly stoppedAt?: Timestamp;
}

type BackfillRef = { readonly registryId: RegistryId; readonly replicationBackfillId: string };

/** Records a backfill (PREPARING); refused unless the configuration names the destination. */
export type StartReplicationBackfill = Command<
  "StartReplicationBackfill",
  BackfillRef & { readonly destination: ReplicationDestination; readonly startedAt: Timestamp }
>;
/** Starts the backfill's rounds in one repository: each image not replicated to its destination. */
export type StartBackfillReplications = Command<
  "StartBackfillReplications",
  RepositoryRef & { readonly replicationBackfillId: string; readonly at: Timestamp }
>;
/** Ends a backfill's preparation: every repository it covers has its rounds. */
export type PrepareReplicationBackfill = Command<"PrepareReplicationBackfill", BackfillRef>;
export type StopReplicationBackfill = Command<
  "StopReplicationBackfill",
  BackfillRef & { readonly stoppedAt: Timestamp }
>;

export type ReplicationBackfillStarted = Event<
  "ReplicationBackfillStarted",
  BackfillRef & { readonly destination: ReplicationDestination; readonly startedAt: Timestamp }
>;
export type ReplicationBackfillPrepared = Event<"ReplicationBackfillPrepared", BackfillRef>;
export type ReplicationBackfillStopped = Event<
  "ReplicationBackfillStopped",
  BackfillRef & { readonly stoppedAt: Timestamp }
>;

export type ReplicationBackfillCommand =
  | StartReplicationBackfill
  | StartBackfillReplications
  | PrepareReplicationBackfill
  | StopReplicationBackfill;
export type ReplicationBackfillEvent =
  | ReplicationBackfillStarted
  | ReplicationBackfillPrepared
  | ReplicationBackfillStopped;
