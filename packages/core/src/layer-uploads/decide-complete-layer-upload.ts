/**
 * CompleteLayerUpload: the measured bytes become a layer of the repository iff they are what the
 * client declared, checked as distribution does at commit: size, then digest, then the link.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { type InvalidParameterException, RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import { Digest } from "../values/primitives.js";
import { decideWithOpenUpload } from "./decide-layer-upload.js";
import type { CompleteLayerUpload } from "./layer-upload-commands.js";
import type { LayerUploadEvent } from "./layer-upload-events.js";

const { accept, refuse } = decisionsOf<LayerUploadEvent>();

/** ECR's layerDigests is a list, yet an upload is one layer: the list must hold exactly one digest. */
export const singleLayerDigest = (
  layerDigests: ReadonlyArray<string>,
): E.Either<InvalidParameterException, string> =>
  layerDigests.length === 1
    ? E.right(layerDigests[0]!)
    : E.left(
        RegistryErrors.invalidParameter(
          `Invalid parameter: layerDigests must hold exactly one digest, it holds ${layerDigests.length}`,
        ),
      );

export const decideCompleteLayerUpload = (state: RegistryState, { data }: CompleteLayerUpload) =>
  pipe(
    // Checked before anything else, the upload included, as ECR checks its request first.
    singleLayerDigest(data.layerDigests),
    E.chainW((layerDigest) =>
      decideWithOpenUpload(state, data, data.completedAt, (repository, upload) => {
        if (upload.partCount === 0 && data.rules === "ecr")
          return refuse(RegistryErrors.emptyUpload(data.uploadId));
        // Lenient registries skip the 5 MiB rule, as moto does.
        const enforceMinimum = data.rules === "ecr" && !registrySettings(state, data.registryId).lenient;
        if (enforceMinimum && upload.shortPartBeforeLast !== undefined) {
          const { partNumber, size } = upload.shortPartBeforeLast;
          return refuse(RegistryErrors.layerPartTooSmall(data.uploadId, partNumber, size));
        }
        if (!Digest.is(layerDigest)) {
          return refuse(
            RegistryErrors.invalidLayer(
              `Invalid layer digest '${layerDigest}': Berth stores sha256 digests ('sha256:' and 64 lowercase hex digits)`,
            ),
          );
        }
        if (data.received.size !== upload.bytesReceived) {
          return refuse(
            RegistryErrors.invalidLayer(
              `Upload '${data.uploadId}' holds ${data.received.size} bytes but its parts add up to ${upload.bytesReceived}`,
            ),
          );
        }
        if (data.received.digest !== layerDigest) {
          return refuse(
            RegistryErrors.invalidLayer(
              `The calculated digest '${data.received.digest}' of the uploaded layer does not match the given digest '${layerDigest}'`,
            ),
          );
        }
        if (repository.layers.has(layerDigest)) {
          return refuse(RegistryErrors.layerAlreadyExists(layerDigest, data.repositoryName));
        }
        return accept({
          type: "LayerUploadCompleted",
          data: {
            registryId: data.registryId,
            repositoryName: data.repositoryName,
            uploadId: data.uploadId,
            layerDigest,
            size: data.received.size,
            completedAt: data.completedAt,
          },
        });
      }),
    ),
  );
