/** Commands of replication. */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { Digest, RegistryId, Timestamp } from "../values/primitives.js";
import type { ReplicationBackfillCommand } from "./replication-backfill-messages.js";
import type { ReplicationConfiguration, ReplicationDestination } from "./replication-values.js";

export type PutReplicationConfiguration = Command<
  "PutReplicationConfiguration",
  {
    readonly registryId: RegistryId;
    readonly replicationConfiguration: ReplicationConfiguration;
    /** The region this server serves: a destination there in the same registry is the source itself. */
    readonly region: string;
  }
>;
/**
 * Copies an image of a source repository into a destination repository (of the same or another
 * registry): its blobs are linked (never copied: they are content-addressed), its manifest and
 * every tag it has now recorded. Idempotent; the destination repository must exist.
 */
export type ReplicateImage = Command<
  "ReplicateImage",
  RepositoryRef & {
    readonly source: RepositoryRef & { readonly imageDigest: Digest };
    /** The source image's manifest, byte-exact, as the log keeps it (the state does not). */
    readonly imageManifest: string;
    readonly replicatedAt: Timestamp;
  }
>;
/** Records how a destination of a replication round ended; nothing unless it is still in progress. */
export type RecordImageReplication = Command<
  "RecordImageReplication",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly startedAt: Timestamp;
    readonly destination: ReplicationDestination;
    readonly outcome:
      | { readonly status: "COMPLETE" }
      | { readonly status: "FAILED"; readonly failureCode: string };
  }
>;

export type ReplicationCommand =
  | PutReplicationConfiguration
  | ReplicateImage
  | RecordImageReplication
  | ReplicationBackfillCommand;
