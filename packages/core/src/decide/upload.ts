/**
 * Layer uploads. The core never sees layer bytes: the engine streams them into the blob store and
 * hands the core what it measured (lengths, sha256). The same rules serve ECR's UploadLayerPart and
 * OCI's chunked PATCH: a part is accepted iff it starts where the upload ends and its declared range
 * matches its length. Only ECR uploads must have non-final parts of at least 5 MiB.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type {
  CompleteLayerUpload,
  DiscardLayerUpload,
  InitiateLayerUpload,
  MountLayer,
  UploadLayerPart,
} from "../commands.js";
import { type RegistryError, RegistryErrors } from "../errors.js";
import {
  findRepository,
  type RegistryState,
  type RepositoryState,
  registrySettings,
  requireRepository,
  type UploadState,
} from "../state.js";
import { Digest } from "../values/primitives.js";
import { accept, type Decision, refuse } from "./decision.js";

type UploadRef = UploadLayerPart["data"] | CompleteLayerUpload["data"] | DiscardLayerUpload["data"];

/** The open upload a command addresses, in the repository it names. */
const openUpload = (
  state: RegistryState,
  repository: RepositoryState,
  data: UploadRef,
): E.Either<RegistryError, UploadState> => {
  const upload = repository.openUploads.has(data.uploadId) ? state.uploads.get(data.uploadId) : undefined;
  return upload === undefined
    ? E.left(RegistryErrors.uploadNotFound(data.uploadId, data.repositoryName))
    : E.right(upload);
};

export const decideInitiateLayerUpload = (state: RegistryState, { data }: InitiateLayerUpload): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain(() =>
      state.uploads.has(data.uploadId)
        ? refuse(
            RegistryErrors.invalidParameter(
              `Invalid parameter: upload id '${data.uploadId}' is already in use`,
            ),
          )
        : accept({
            type: "LayerUploadInitiated",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              uploadId: data.uploadId,
              initiatedAt: data.initiatedAt,
            },
          }),
    ),
  );

export const decideUploadLayerPart = (state: RegistryState, { data }: UploadLayerPart): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => openUpload(state, repository, data)),
    E.chain((upload) => {
      const invalid = (reason: string) =>
        refuse(
          RegistryErrors.invalidLayerPart(
            data.registryId,
            data.repositoryName,
            data.uploadId,
            upload.bytesReceived,
            reason,
          ),
        );
      if (data.partFirstByte !== upload.bytesReceived) {
        return invalid(`the part starts at byte ${data.partFirstByte}, expected ${upload.bytesReceived}`);
      }
      if (data.partLastByte < data.partFirstByte) {
        return invalid(`partLastByte ${data.partLastByte} is before partFirstByte ${data.partFirstByte}`);
      }
      const declared = data.partLastByte - data.partFirstByte + 1;
      if (declared !== data.partLength) {
        return invalid(`the part declares ${declared} bytes but holds ${data.partLength}`);
      }
      return accept({
        type: "LayerPartUploaded",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          uploadId: data.uploadId,
          partFirstByte: data.partFirstByte,
          partLastByte: data.partLastByte,
        },
      });
    }),
  );

export const decideCompleteLayerUpload = (state: RegistryState, { data }: CompleteLayerUpload): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      pipe(
        openUpload(state, repository, data),
        E.chain((upload) => {
          if (upload.partCount === 0 && data.allowEmpty !== true)
            return refuse(RegistryErrors.emptyUpload(data.uploadId));
          // Lenient registries skip the 5 MiB rule, as moto does.
          const enforceMinimum = data.enforcePartMinimum && !registrySettings(state, data.registryId).lenient;
          if (enforceMinimum && upload.shortPartBeforeLast !== undefined) {
            const { partNumber, size } = upload.shortPartBeforeLast;
            return refuse(RegistryErrors.layerPartTooSmall(data.uploadId, partNumber, size));
          }
          if (!Digest.is(data.layerDigest)) {
            return refuse(
              RegistryErrors.invalidLayer(
                `Invalid layer digest '${data.layerDigest}': Berth stores sha256 digests ('sha256:' and 64 lowercase hex digits)`,
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
          if (data.received.digest !== data.layerDigest) {
            return refuse(
              RegistryErrors.invalidLayer(
                `The calculated digest '${data.received.digest}' of the uploaded layer does not match the given digest '${data.layerDigest}'`,
              ),
            );
          }
          if (repository.layers.has(data.layerDigest)) {
            return refuse(RegistryErrors.layerAlreadyExists(data.layerDigest, data.repositoryName));
          }
          return accept({
            type: "LayerUploadCompleted",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              uploadId: data.uploadId,
              layerDigest: data.layerDigest,
              size: data.received.size,
              completedAt: data.completedAt,
            },
          });
        }),
      ),
    ),
  );

export const decideDiscardLayerUpload = (state: RegistryState, { data }: DiscardLayerUpload): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => openUpload(state, repository, data)),
    E.chain(() =>
      accept({
        type: "LayerUploadDiscarded",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          uploadId: data.uploadId,
          reason: data.reason,
        },
      }),
    ),
  );

/** Idempotent: mounting a layer the repository already has records nothing. */
export const decideMountLayer = (state: RegistryState, { data }: MountLayer): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      if (repository.layers.has(data.layerDigest)) return accept();
      const source = findRepository(state, data.registryId, data.fromRepository)?.layers.get(
        data.layerDigest,
      );
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
        },
      });
    }),
  );
