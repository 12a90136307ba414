/**
 * Opening, filling and discarding layer uploads. The core never sees layer bytes: the engine streams
 * them into the blob store and hands the core what it measured (lengths, sha256). The same rules
 * serve ECR's UploadLayerPart and OCI's chunked PATCH: a part is accepted iff it starts where the
 * upload ends and its declared range matches its length.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import type { RepositoryRef } from "../kernel/message.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import {
  type RegistryState,
  type RepositoryState,
  requireRepository,
  type UploadState,
} from "../kernel/registry-state.js";
import type { Timestamp, UploadId } from "../values/primitives.js";
import type {
  DiscardLayerUpload,
  ExpireLayerUpload,
  InitiateLayerUpload,
  ReleaseUploadBytes,
  UploadLayerPart,
} from "./layer-upload-commands.js";
import type { LayerUploadEvent } from "./layer-upload-events.js";
import { isUploadExpired, uploadDeadline } from "./upload-expiry.js";

const { accept, refuse } = decisionsOf<LayerUploadEvent>();

/**
 * Decides a command on an open upload: `decision` runs with the repository the command names and
 * the upload it addresses, once both are found (RepositoryNotFound, then UploadNotFound, otherwise).
 * With `now`, a session at or past its deadline is not found either, and the message says it expired.
 */
export const decideWithOpenUpload = <Decision>(
  state: RegistryState,
  data: RepositoryRef & { readonly uploadId: UploadId },
  now: Timestamp | undefined,
  decision: (repository: RepositoryState, upload: UploadState) => E.Either<RegistryError, Decision>,
): E.Either<RegistryError, Decision> =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      const upload = repository.openUploads.has(data.uploadId) ? state.uploads.get(data.uploadId) : undefined;
      const expiredAt =
        upload !== undefined && now !== undefined && isUploadExpired(upload, now)
          ? upload.expiresAt
          : repository.expiredUploads.get(data.uploadId);
      if (expiredAt !== undefined) {
        return E.left(RegistryErrors.uploadExpired(data.uploadId, data.repositoryName, expiredAt));
      }
      return upload === undefined
        ? E.left(RegistryErrors.uploadNotFound(data.uploadId, data.repositoryName))
        : decision(repository, upload);
    }),
  );

export const decideInitiateLayerUpload = (state: RegistryState, { data }: InitiateLayerUpload) =>
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
              expiresAt: uploadDeadline(data.initiatedAt, data.expiresAt),
            },
          }),
    ),
  );

export const decideUploadLayerPart = (state: RegistryState, { data }: UploadLayerPart) =>
  decideWithOpenUpload(state, data, data.uploadedAt, (_repository, upload) => {
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
  });

export const decideDiscardLayerUpload = (state: RegistryState, { data }: DiscardLayerUpload) =>
  decideWithOpenUpload(state, data, undefined, () =>
    accept({
      type: "LayerUploadDiscarded",
      data: {
        registryId: data.registryId,
        repositoryName: data.repositoryName,
        uploadId: data.uploadId,
        reason: data.reason,
      },
    }),
  );

/** Closes a session at or past its deadline; one that is not due yet is refused. */
export const decideExpireLayerUpload = (state: RegistryState, { data }: ExpireLayerUpload) =>
  decideWithOpenUpload(state, data, undefined, (_repository, upload) =>
    isUploadExpired(upload, data.now)
      ? accept({
          type: "LayerUploadExpired",
          data: {
            registryId: data.registryId,
            repositoryName: data.repositoryName,
            uploadId: data.uploadId,
            expiredAt: data.now,
          },
        })
      : refuse(
          RegistryErrors.invalidParameter(
            `Invalid parameter: upload '${data.uploadId}' does not expire before ${new Date(upload.expiresAt).toISOString()}`,
          ),
        ),
  );

/** Idempotent: a session whose release is recorded (or that never needed one) records nothing. */
export const decideReleaseUploadBytes = (state: RegistryState, { data }: ReleaseUploadBytes) =>
  state.releasableUploads.has(data.uploadId)
    ? accept({ type: "UploadBytesReleased", data: { registryId: data.registryId, uploadId: data.uploadId } })
    : accept();
