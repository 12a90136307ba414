/** MountLayer: a layer of another repository of the same registry becomes one of this repository. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { accountSetting } from "../account-settings/account-settings-queries.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { MountLayer } from "./layer-upload-commands.js";
import type { LayerUploadEvent } from "./layer-upload-events.js";
import { findLayer } from "./repository-layers.js";

const { accept, refuse } = decisionsOf<LayerUploadEvent>();

/**
 * Idempotent: mounting a layer the repository already has records nothing. Refused with
 * BlobMountingDisabled while the account setting BLOB_MOUNTING is DISABLED (an OCI client then
 * uploads the blob instead).
 */
export const decideMountLayer = (state: RegistryState, { data }: MountLayer) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      if (accountSetting(state, data.registryId, "BLOB_MOUNTING") === "DISABLED") {
        return refuse(RegistryErrors.blobMountingDisabled(data.registryId));
      }
      if (repository.layers.has(data.layerDigest)) return accept();
      const from = findRepository(state, data.registryId, data.fromRepository);
      const source = from === undefined ? undefined : findLayer(state, from, data.layerDigest);
      if (source === undefined) {
        return refuse(
          RegistryErrors.layersNotFound(
            `The layer '${data.layerDigest}' does not exist in the repository '${data.fromRepository}'`,
          ),
        );
      }
      return accept({
        type: "LayerLinked",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          layerDigest: data.layerDigest,
          size: source.size,
          fromRepository: data.fromRepository,
          linkedAt: data.mountedAt,
          ...(data.retentionId === undefined ? {} : { retentionId: data.retentionId }),
        },
      });
    }),
  );
