/**
 * Upload expiry, a pure function of the state and `now`: a session is open until its deadline, and
 * at the deadline itself it is expired (it takes no part, no completion; the sweep closes it).
 * The engine only decides when to ask.
 */
import type { RegistryState, UploadState } from "../kernel/registry-state.js";
import type { RegistryId, RepositoryName, Timestamp, UploadId } from "../values/primitives.js";

/** How long a session stays open when nothing else is said: 24 hours. */
export const DEFAULT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** The deadline of a session opened at `initiatedAt`; events without one get the default. */
export const uploadDeadline = (initiatedAt: Timestamp, expiresAt: Timestamp | undefined): Timestamp =>
  expiresAt ?? ((initiatedAt + DEFAULT_UPLOAD_TTL_MS) as Timestamp);

export const isUploadExpired = (upload: Pick<UploadState, "expiresAt">, now: Timestamp): boolean =>
  now >= upload.expiresAt;

export interface DueUpload {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly uploadId: UploadId;
  readonly expiresAt: Timestamp;
}

/** Open sessions whose deadline is `now` or earlier. */
export const expiredUploads = (state: RegistryState, now: Timestamp): ReadonlyArray<DueUpload> =>
  [...state.uploads.values()]
    .filter((upload) => isUploadExpired(upload, now))
    .map(({ registryId, repositoryName, uploadId, expiresAt }) => ({
      registryId,
      repositoryName,
      uploadId,
      expiresAt,
    }));

/** Closed sessions whose bytes may still be in the blob store. */
export const releasableUploads = (
  state: RegistryState,
): ReadonlyArray<{ readonly registryId: RegistryId; readonly uploadId: UploadId }> =>
  [...state.releasableUploads].map(([uploadId, registryId]) => ({ registryId, uploadId }));

/** The earliest deadline of an open session, if any. */
export const nextUploadDeadline = (state: RegistryState): Timestamp | undefined => {
  let next: Timestamp | undefined;
  for (const upload of state.uploads.values()) {
    if (next === undefined || upload.expiresAt < next) next = upload.expiresAt;
  }
  return next;
};
