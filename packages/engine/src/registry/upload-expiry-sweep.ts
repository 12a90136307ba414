/**
 * The upload expiry sweep, driven from the log alone (so it is restart-safe and any process may run
 * it): sessions past their deadline are closed in the log first, then their bytes leave the blob
 * store and that is recorded too. A crash in between leaves a releasable session in the state, which
 * the next sweep releases; a command another process already carried out records nothing here.
 */
import { expiredUploads, releasableUploads, type UploadId } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { RegistryRuntime } from "./registry-runtime.js";
import { releaseUploadBytes } from "./upload-saga.js";

export interface UploadExpiryReport {
  /** Sessions this sweep closed because their deadline had passed. */
  readonly expired: ReadonlyArray<UploadId>;
  /** Closed sessions whose bytes this sweep dropped from the blob store. */
  readonly released: ReadonlyArray<UploadId>;
}

export const sweepExpiredUploads = async (runtime: RegistryRuntime): Promise<UploadExpiryReport> => {
  const { handler } = runtime;
  await handler.catchUp();
  const now = runtime.now();
  const expired: UploadId[] = [];
  for (const due of expiredUploads(handler.state, now)) {
    const executed = await handler.execute({
      type: "ExpireLayerUpload",
      data: { registryId: due.registryId, repositoryName: due.repositoryName, uploadId: due.uploadId, now },
    });
    if (E.isRight(executed) && executed.right.events.length > 0) expired.push(due.uploadId);
  }
  const released: UploadId[] = [];
  for (const { registryId, uploadId } of releasableUploads(handler.state)) {
    await releaseUploadBytes(runtime, registryId, uploadId);
    released.push(uploadId);
  }
  return { expired, released };
};
