/** The replication slice: PutReplicationConfiguration, image replication rounds and their outcomes. */
import type { ImageEvent } from "../images/image-events.js";
import { registrySettingsDraft, repositoryStep } from "../kernel/registry-state.js";
import type { DecideTable, EvolveTable } from "../kernel/slice.js";
import type { LayerUploadEvent } from "../layer-uploads/layer-upload-events.js";
import { decideReplicateImage } from "./decide-replicate-image.js";
import { decidePutReplicationConfiguration, decideRecordImageReplication } from "./decide-replication.js";
import {
  decidePrepareReplicationBackfill,
  decideStartBackfillReplications,
  decideStartReplicationBackfill,
  decideStopReplicationBackfill,
  evolveBackfills,
} from "./decide-replication-backfill.js";
import type { ReplicationCommand } from "./replication-commands.js";
import type { ReplicationEvent } from "./replication-events.js";
import { sameDestination } from "./replication-values.js";

export const replicationDecider: {
  readonly decide: DecideTable<ReplicationCommand, ReplicationEvent | ImageEvent | LayerUploadEvent>;
  readonly evolve: EvolveTable<ReplicationEvent>;
} = {
  decide: {
    PutReplicationConfiguration: decidePutReplicationConfiguration,
    ReplicateImage: decideReplicateImage,
    RecordImageReplication: decideRecordImageReplication,
    StartReplicationBackfill: decideStartReplicationBackfill,
    StartBackfillReplications: decideStartBackfillReplications,
    PrepareReplicationBackfill: decidePrepareReplicationBackfill,
    StopReplicationBackfill: decideStopReplicationBackfill,
  },
  evolve: {
    ReplicationConfigurationPut: (draft, { data }) => {
      registrySettingsDraft(draft, data.registryId).replicationConfiguration = data.replicationConfiguration;
    },
    ImageReplicationStarted: repositoryStep((repository, { data }) => {
      const image = repository.images.get(data.imageDigest);
      if (image === undefined) return;
      image.replication = {
        startedAt: data.startedAt,
        destinations: data.destinations.map((d) => ({
          region: d.region,
          registryId: d.registryId,
          status: "IN_PROGRESS",
        })),
        ...(data.replicationBackfillId === undefined
          ? {}
          : { replicationBackfillId: data.replicationBackfillId }),
      };
    }),
    ImageReplicationRecorded: repositoryStep((repository, { data }) => {
      const image = repository.images.get(data.imageDigest);
      const replication = image?.replication;
      if (image === undefined || replication === undefined || replication.startedAt !== data.startedAt)
        return;
      image.replication = {
        ...replication,
        destinations: replication.destinations.map((d) =>
          sameDestination(d, data.destination)
            ? {
                ...data.destination,
                status: data.status,
                ...(data.failureCode === undefined ? {} : { failureCode: data.failureCode }),
              }
            : d,
        ),
      };
    }),
    ReplicationBackfillStarted: (draft, { data }) =>
      evolveBackfills(registrySettingsDraft(draft, data.registryId), (all) => [
        ...all,
        {
          replicationBackfillId: data.replicationBackfillId,
          destination: data.destination,
          startedAt: data.startedAt,
          prepared: false,
        },
      ]),
    ReplicationBackfillPrepared: (draft, { data }) =>
      evolveBackfills(registrySettingsDraft(draft, data.registryId), (all) =>
        all.map((b) =>
          b.replicationBackfillId === data.replicationBackfillId ? { ...b, prepared: true } : b,
        ),
      ),
    ReplicationBackfillStopped: (draft, { data }) =>
      evolveBackfills(registrySettingsDraft(draft, data.registryId), (all) =>
        all.map((b) =>
          b.replicationBackfillId === data.replicationBackfillId ? { ...b, stoppedAt: data.stoppedAt } : b,
        ),
      ),
  },
};
