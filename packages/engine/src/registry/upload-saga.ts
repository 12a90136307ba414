/**
 * The layer-upload saga: bytes go to the blob store, facts to the event log, in the order that
 * keeps them agreeing after a crash at any step.
 * - A part is checked against the log before its first byte is written, and its byte count against
 *   its range while it streams: a refused part leaves the blob store and the log as they were.
 * - Completing an upload makes the bytes a content-addressed blob first and records the layer
 *   second, so an acknowledged layer always has its bytes. A session whose bytes are gone, or can
 *   never become a layer, is closed in the log so it does not stay open for ever.
 */
import {
  type ByteOffset,
  type CompleteLayerUpload,
  type Digest,
  decide,
  findRepository,
  RegistryErrors,
  type RegistryId,
  type RegistryState,
  singleLayerDigest,
  type Timestamp,
  type UploadId,
  type UploadLayerPart,
  type UploadRules,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { exactly, type LayerBytes, PartLengthMismatchError } from "../layer-bytes.js";
import { BlobMismatchError, UploadOffsetError, UploadUnknownError } from "../ports/blob-store.js";
import { retainBlob } from "./blob-retention.js";
import type { RegistryRuntime, RepositoryRef, Result } from "./registry-runtime.js";

type Runtime = Pick<RegistryRuntime, "handler" | "blobs" | "now" | "newId" | "uploadTtl">;

/** The open upload `uploadId` of the repository, as the log knows it. */
export const openUpload = ({ handler }: Runtime, ref: RepositoryRef, uploadId: UploadId) =>
  findRepository(handler.state, ref.registryId, ref.repositoryName)?.openUploads.has(uploadId)
    ? handler.state.uploads.get(uploadId)
    : undefined;

/**
 * Closes the session in the log, then drops whatever bytes it still has and records that they are
 * gone (a crash in between leaves the release to the background sweep).
 */
const closeInLog = async (runtime: Runtime, ref: RepositoryRef, uploadId: UploadId, reason: string) => {
  const executed = await runtime.handler.execute({
    type: "DiscardLayerUpload",
    data: { ...ref, uploadId, reason },
  });
  if (E.isRight(executed)) await releaseUploadBytes(runtime, ref.registryId, uploadId);
  return executed;
};

/** Drops a closed session's bytes, then records it: idempotent, so the sweep may do it again. */
export const releaseUploadBytes = async (runtime: Runtime, registryId: RegistryId, uploadId: UploadId) => {
  await runtime.blobs.abortUpload(uploadId);
  await runtime.handler.execute({ type: "ReleaseUploadBytes", data: { registryId, uploadId } });
};

/** UploadNotFound for a session the log no longer holds open, saying so when it expired. */
const uploadGone = async ({ handler }: Runtime, ref: RepositoryRef, uploadId: UploadId) => {
  await handler.catchUp();
  const expiredAt = findRepository(handler.state, ref.registryId, ref.repositoryName)?.expiredUploads.get(
    uploadId,
  );
  return expiredAt === undefined
    ? RegistryErrors.uploadNotFound(uploadId, ref.repositoryName)
    : RegistryErrors.uploadExpired(uploadId, ref.repositoryName, expiredAt);
};

/** Opens a session in the blob store, then in the log. */
export const initiateUpload = async (
  runtime: Runtime,
  ref: RepositoryRef,
): Result<{ uploadId: UploadId }> => {
  const uploadId = runtime.newId() as UploadId;
  await runtime.blobs.createUpload(uploadId);
  const initiatedAt = runtime.now();
  const executed = await runtime.handler.execute({
    type: "InitiateLayerUpload",
    data: { ...ref, uploadId, initiatedAt, expiresAt: (initiatedAt + runtime.uploadTtl) as Timestamp },
  });
  if (E.isLeft(executed)) {
    await runtime.blobs.abortUpload(uploadId);
    return executed;
  }
  return E.right({ uploadId });
};

/** Closes the session in the log, then drops its bytes. */
export const discardUpload = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  reason: string,
): Result<Record<string, never>> => {
  const executed = await closeInLog(runtime, ref, uploadId, reason);
  return E.isLeft(executed) ? executed : E.right({});
};

/** Streams `bytes` into the blob store at `first`; a refusal while streaming leaves nothing written. */
const appendBytes = async (
  runtime: Runtime,
  part: RepositoryRef & { readonly uploadId: UploadId; readonly offset: number },
  bytes: LayerBytes,
  declared: number | undefined,
  resumeAt: number,
): Result<{ size: number }> => {
  const invalidPart = (reason: string) =>
    E.left(
      RegistryErrors.invalidLayerPart(
        part.registryId,
        part.repositoryName,
        part.uploadId,
        resumeAt as ByteOffset,
        reason,
      ),
    );
  try {
    const source = declared === undefined ? bytes : exactly(declared, bytes);
    return E.right({ size: (await runtime.blobs.appendToUpload(part.uploadId, part.offset, source)).size });
  } catch (error) {
    if (error instanceof PartLengthMismatchError) return invalidPart(error.message);
    if (error instanceof UploadOffsetError) {
      return invalidPart(`the stored upload is at byte ${error.expectedOffset}; start the upload again`);
    }
    if (error instanceof UploadUnknownError) return E.left(await uploadGone(runtime, part, part.uploadId));
    throw error;
  }
};

/** The part as the state this process holds decides it, before any byte is written. */
const planPart = (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  range: { readonly first: number; readonly last: number } | undefined,
  uploadedAt: Timestamp,
) => {
  const upload = openUpload(runtime, ref, uploadId);
  const first = range?.first ?? upload?.bytesReceived ?? 0;
  const declared = range === undefined ? undefined : range.last - range.first + 1;
  const command = (length: number): UploadLayerPart => ({
    type: "UploadLayerPart",
    data: {
      ...ref,
      uploadId,
      partFirstByte: first as ByteOffset,
      partLastByte: (range?.last ?? first + length - 1) as ByteOffset,
      partLength: length as ByteOffset,
      uploadedAt,
    },
  });
  const precheck = decide(runtime.handler.state, command(declared ?? 1));
  return { first, declared, command, precheck, resumeAt: upload?.bytesReceived ?? first };
};

/**
 * Writes one part: at `range` (its length enforced while streaming), or appended at the upload's
 * end with whatever length arrives. The part is decided on before its first byte is written.
 *
 * A part in memory at a given range (ECR's UploadLayerPart) is decided on the state this process
 * already holds, with no read first: a refusal is answered only once a catch-up read confirms it,
 * and an acceptance is checked again on the whole log when the part is recorded. Should the log
 * have closed the session in between, the bytes went to an upload being dropped with it.
 */
export const writePart = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  bytes: LayerBytes,
  range: { readonly first: number; readonly last: number } | undefined,
): Result<{ size: number }> => {
  const { handler } = runtime;
  let current = !(range !== undefined && bytes instanceof Uint8Array);
  if (current) await handler.catchUp();
  const uploadedAt = runtime.now();
  let plan = planPart(runtime, ref, uploadId, range, uploadedAt);
  if (E.isLeft(plan.precheck) && !current) {
    await handler.catchUp();
    current = true;
    plan = planPart(runtime, ref, uploadId, range, uploadedAt);
  }
  if (E.isLeft(plan.precheck)) return plan.precheck;
  const target = { ...ref, uploadId, offset: plan.first };
  const appended = await appendBytes(runtime, target, bytes, plan.declared, plan.resumeAt);
  if (E.isLeft(appended)) {
    if (current) return appended;
    // The blob store refused (another part landed first): answer as the whole log says.
    await handler.catchUp();
    const fresh = planPart(runtime, ref, uploadId, range, uploadedAt);
    return E.isLeft(fresh.precheck) ? fresh.precheck : appended;
  }
  const length = appended.right.size - plan.first;
  if (length === 0) return appended;
  const executed = await handler.execute(plan.command(length));
  return E.isLeft(executed) ? executed : appended;
};

/** What the blob store measured while the bytes streamed in, or UploadNotFound when they are gone. */
const measure = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
): Result<CompleteLayerUpload["data"]["received"]> => {
  try {
    const status = await runtime.blobs.uploadStatus(uploadId);
    return E.right({ digest: status.digest as Digest, size: status.size as ByteOffset });
  } catch (error) {
    if (!(error instanceof UploadUnknownError)) throw error;
    // The log may still hold the session open while its bytes are gone (a crash between
    // finishing a blob and recording it): close it, so it does not stay open for ever.
    await closeInLog(runtime, ref, uploadId, "its bytes are no longer in the blob store");
    return E.left(await uploadGone(runtime, ref, uploadId));
  }
};

/** Makes the measured bytes a blob; another request may have got to the upload in between. */
const finish = async (runtime: Runtime, ref: RepositoryRef, command: CompleteLayerUpload): Result<void> => {
  const { uploadId, received } = command.data;
  try {
    await runtime.blobs.finishUpload(uploadId, received);
    return E.right(undefined);
  } catch (error) {
    // A concurrent completion took it (UploadNotFound, as when that one had finished first), or a
    // part landed in between and the blob store discarded it, so the session closes too.
    if (error instanceof UploadUnknownError)
      return E.left(RegistryErrors.uploadNotFound(uploadId, ref.repositoryName));
    if (!(error instanceof BlobMismatchError)) throw error;
    await closeInLog(runtime, ref, uploadId, error.message);
    return E.left(
      RegistryErrors.invalidLayer(
        `Upload '${uploadId}' changed while it was being completed: ${error.message}`,
      ),
    );
  }
};

/** Whether the log has never heard of `digest` (or has forgotten it: its bytes were deleted). */
const isUnheardOf = (digest: Digest) => (state: RegistryState) => !state.blobs.has(digest);

/**
 * Records the layer whose bytes just became a blob. A blob the log has never heard of needs no
 * retention: no sweep can condemn a blob before the log links or references it, so a layer recorded
 * while the whole log still has not heard of its blob (executeWhile) is safe, and that saves an
 * append per upload of new bytes. Should the log have heard of it meanwhile (the same bytes linked
 * elsewhere, or condemned), the blob is retained now, as it would have been first; if a sweep had
 * condemned it, its bytes (these very bytes) were deleted, and no layer is recorded without them.
 */
const recordLayer = async (
  runtime: Runtime,
  command: CompleteLayerUpload,
  retained: boolean,
  until: Timestamp,
) => {
  const { handler } = runtime;
  if (retained) return handler.execute(command);
  const digest = command.data.received.digest;
  const recorded = await handler.executeWhile(command, isUnheardOf(digest));
  if (recorded !== undefined) return recorded;
  await retainBlob(runtime, digest, command.data.uploadId, until);
  if ((await runtime.blobs.stat(digest)) === undefined) {
    return E.left(
      RegistryErrors.invalidLayer(
        `Layer ${digest} was being garbage-collected while upload '${command.data.uploadId}' completed; upload it again`,
      ),
    );
  }
  return handler.execute(command);
};

/** Completes an upload: decided on the measured bytes, which become a blob before the event is appended. */
export const completeUpload = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  layerDigests: ReadonlyArray<string>,
  rules: UploadRules,
): Result<{ layerDigest: string }> => {
  const { handler } = runtime;
  // The core's rule, asked before the blob store is: a wrong count is refused as it always was.
  const declared = singleLayerDigest(layerDigests);
  if (E.isLeft(declared)) return declared;
  const layerDigest = declared.right;
  const received = await measure(runtime, ref, uploadId);
  if (E.isLeft(received)) return received;
  const command: CompleteLayerUpload = {
    type: "CompleteLayerUpload",
    data: {
      ...ref,
      uploadId,
      layerDigests,
      received: received.right,
      rules,
      completedAt: runtime.now(),
    },
  };
  // Decided on the state this process holds; a refusal only once a catch-up read confirms it (an
  // acceptance is checked on the whole log when the layer is recorded).
  let precheck = decide(handler.state, command);
  if (E.isLeft(precheck)) {
    await handler.catchUp();
    precheck = decide(handler.state, command);
  }
  if (E.isLeft(precheck)) {
    const tag = precheck.left._tag;
    if (tag === "InvalidLayerException" || tag === "LayerAlreadyExistsException") {
      await closeInLog(runtime, ref, uploadId, precheck.left.message);
    }
    return precheck;
  }
  const until = openUpload(runtime, ref, uploadId)?.expiresAt ?? command.data.completedAt;
  const retained = !(handler.guardsAppends && isUnheardOf(received.right.digest)(handler.state));
  if (retained) await retainBlob(runtime, received.right.digest, uploadId, until);
  const finished = await finish(runtime, ref, command);
  if (E.isLeft(finished)) return finished;
  const executed = await recordLayer(runtime, command, retained, until);
  if (E.isLeft(executed)) {
    // Lost a race after the bytes became a blob (another upload of the same layer completed
    // first): the blob store's upload is gone, so the session must not stay open in the log.
    await closeInLog(runtime, ref, uploadId, executed.left.message);
    return executed;
  }
  return E.right({ layerDigest });
};
