/**
 * Completing an upload, the last step of the layer-upload saga (upload-saga.ts): the measured bytes
 * are decided on, become a content-addressed blob, and the layer is recorded, in that order, so an
 * acknowledged layer always has its bytes. With a joint step (joint-steps.ts) the blob is made in
 * the same transaction as the layer's event; without one it is made first.
 *
 * The blob is retained first (`RetainBlob`, in its own stream, where a sweep's `CollectBlob` goes
 * too) unless the whole log has never heard of it: no sweep can condemn such a blob, so its layer is
 * recorded while the log still has not heard of it (executeWhile), one append fewer per upload of
 * new bytes.
 */
import {
  type ByteOffset,
  type CompleteLayerUpload,
  type Digest,
  decide,
  type RegistryError,
  RegistryErrors,
  type RegistryState,
  singleLayerDigest,
  type Timestamp,
  type UploadId,
  type UploadRules,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { BlobMismatchError, UploadUnknownError } from "../ports/blob-store.js";
import type { JointStep } from "../ports/joint-steps.js";
import { retainBlob } from "./blob-retention.js";
import type { RepositoryRef, Result } from "./registry-runtime.js";
import { closeInLog, jointly, openUpload, type SagaRuntime as Runtime, uploadGone } from "./upload-saga.js";

/** An upload's size and digest as the completion command carries them. */
const received = (status: { readonly size: number; readonly digest: string }) => ({
  digest: status.digest as Digest,
  size: status.size as ByteOffset,
});

/** What the blob store measured while the bytes streamed in, or UploadNotFound when they are gone. */
const measure = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
): Result<CompleteLayerUpload["data"]["received"]> => {
  try {
    return E.right(received(await runtime.blobs.uploadStatus(uploadId)));
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
 * Records the layer; with `step`, the blob is made in the same transaction, else it was made
 * already. Unless `retained`, only while the whole log still has not heard of the blob; should it
 * have heard of it meanwhile (the same bytes linked elsewhere, or condemned), the blob is retained
 * now, as it would have been first. A blob made already that a sweep had condemned lost its bytes
 * (these very bytes) to that sweep: no layer is recorded without them.
 */
const recordLayer = async (
  runtime: Runtime,
  command: CompleteLayerUpload,
  retained: boolean,
  until: Timestamp,
  step?: JointStep,
) => {
  const { handler } = runtime;
  if (retained) return handler.execute(command, undefined, step);
  const digest = command.data.received.digest;
  const recorded = await handler.executeWhile(command, isUnheardOf(digest), step);
  if (recorded !== undefined) return recorded;
  await retainBlob(runtime, digest, command.data.uploadId, until);
  if (step === undefined && (await runtime.blobs.stat(digest)) === undefined) {
    return E.left(
      RegistryErrors.invalidLayer(
        `Layer ${digest} was being garbage-collected while upload '${command.data.uploadId}' completed; upload it again`,
      ),
    );
  }
  return handler.execute(command, undefined, step);
};

interface Completion {
  readonly ref: RepositoryRef;
  readonly uploadId: UploadId;
  readonly layerDigests: ReadonlyArray<string>;
  readonly rules: UploadRules;
  readonly layerDigest: string;
}

/**
 * Completes an upload: decided on the measured bytes, which become a blob no later than the layer
 * is recorded. On PostgreSQL the bytes this process wrote are not read again: a completion decided
 * on what it wrote stands only once its joint finish, which checks the size, committed; anything
 * else (another process appended since, a refusal) is decided again on the measured bytes.
 */
export const completeUpload = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  layerDigests: ReadonlyArray<string>,
  rules: UploadRules,
): Result<{ layerDigest: string }> => {
  // The core's rule, asked before the blob store is: a wrong count is refused as it always was.
  const declared = singleLayerDigest(layerDigests);
  if (E.isLeft(declared)) return declared;
  const completion: Completion = { ref, uploadId, layerDigests, rules, layerDigest: declared.right };
  const written = runtime.joint?.uploadWritten(uploadId);
  const asWritten =
    written === undefined ? undefined : await completeOn(runtime, completion, received(written), true);
  if (asWritten !== undefined) return asWritten;
  const measured = await measure(runtime, ref, uploadId);
  if (E.isLeft(measured)) return measured;
  return completeOn(runtime, completion, measured.right, false);
};

type Completed = E.Either<RegistryError, { layerDigest: string }>;
type Received = CompleteLayerUpload["data"]["received"];

/**
 * The completion decided on `bytes`. When they are only `claimed` (unread), undefined unless the
 * layer was recorded with its joint finish: the caller then measures and decides again.
 */
function completeOn(
  runtime: Runtime,
  completion: Completion,
  bytes: Received,
  claimed: false,
): Promise<Completed>;
function completeOn(
  runtime: Runtime,
  completion: Completion,
  bytes: Received,
  claimed: boolean,
): Promise<Completed | undefined>;
async function completeOn(
  runtime: Runtime,
  { ref, uploadId, layerDigests, rules, layerDigest }: Completion,
  bytes: Received,
  claimed: boolean,
): Promise<Completed | undefined> {
  const { handler } = runtime;
  const command: CompleteLayerUpload = {
    type: "CompleteLayerUpload",
    data: { ...ref, uploadId, layerDigests, received: bytes, rules, completedAt: runtime.now() },
  };
  // Decided on the state this process holds; a refusal only once a catch-up read confirms it (an
  // acceptance is checked on the whole log when the layer is recorded).
  let precheck = decide(handler.state, command);
  if (E.isLeft(precheck)) {
    if (claimed) return undefined;
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
  const retained = !(handler.guardsAppends && isUnheardOf(bytes.digest)(handler.state));
  if (retained) await retainBlob(runtime, bytes.digest, uploadId, until);
  const step = runtime.joint?.finishUpload(uploadId, bytes);
  let executed =
    step === undefined
      ? undefined
      : await jointly(() => recordLayer(runtime, command, retained, until, step));
  if (claimed && (executed === undefined || E.isLeft(executed))) return undefined;
  if (executed === undefined) {
    const finished = await finish(runtime, ref, command);
    if (E.isLeft(finished)) return finished;
    executed = await recordLayer(runtime, command, retained, until);
  }
  if (E.isLeft(executed)) {
    // Refused when recorded (another upload of the same layer completed first): the session must
    // not stay open in the log, and its bytes go with it if they are still an upload.
    await closeInLog(runtime, ref, uploadId, executed.left.message);
    return executed;
  }
  return E.right({ layerDigest });
}
