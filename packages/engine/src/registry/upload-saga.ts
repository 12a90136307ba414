/**
 * The layer-upload saga: bytes go to the blob store, facts to the event log, in the order that
 * keeps them agreeing after a crash at any step.
 * - A part is checked against the log before its first byte is written, and its byte count against
 *   its range while it streams: a refused part leaves the blob store and the log as they were.
 * - Completing an upload (upload-completion.ts) makes the bytes a content-addressed blob no later
 *   than it records the layer, so an acknowledged layer always has its bytes. A session whose bytes
 *   are gone, or can never become a layer, is closed in the log so it does not stay open for ever.
 * - Where the blob store offers joint steps (joint-steps.ts), a write and its event commit in one
 *   transaction: the session opened with InitiateLayerUpload, a part in memory with its event, the
 *   blob with its layer. Should a step not be possible, the separate steps run as without one.
 */
import {
  type ByteOffset,
  decide,
  findRepository,
  type InitiateLayerUpload,
  type RegistryError,
  RegistryErrors,
  type RegistryId,
  type Timestamp,
  type UploadId,
  type UploadLayerPart,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { exactly, type LayerBytes, PartLengthMismatchError, watchedBytes } from "../layer-bytes.js";
import { UploadOffsetError, UploadUnknownError } from "../ports/blob-store.js";
import { JointStepFailedError } from "../ports/joint-steps.js";
import type { RegistryRuntime, RepositoryRef, Result } from "./registry-runtime.js";

export type SagaRuntime = Pick<
  RegistryRuntime,
  "handler" | "blobs" | "joint" | "now" | "newId" | "uploadTtl"
>;
type Runtime = SagaRuntime;

/**
 * What a command with a joint step answered, or undefined when the step could not be carried out
 * (nothing was written, events included): the caller then takes the separate steps.
 */
export const jointly = async <A>(attempt: () => Promise<A>): Promise<A | undefined> => {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof JointStepFailedError) return undefined;
    throw error;
  }
};

/** The open upload `uploadId` of the repository, as the log knows it. */
export const openUpload = ({ handler }: Runtime, ref: RepositoryRef, uploadId: UploadId) =>
  findRepository(handler.state, ref.registryId, ref.repositoryName)?.openUploads.has(uploadId)
    ? handler.state.uploads.get(uploadId)
    : undefined;

/**
 * Closes the session in the log, then drops whatever bytes it still has and records that they are
 * gone (a crash in between leaves the release to the background sweep).
 */
export const closeInLog = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  reason: string,
) => {
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
export const uploadGone = async ({ handler }: Runtime, ref: RepositoryRef, uploadId: UploadId) => {
  await handler.catchUp();
  const expiredAt = findRepository(handler.state, ref.registryId, ref.repositoryName)?.expiredUploads.get(
    uploadId,
  );
  return expiredAt === undefined
    ? RegistryErrors.uploadNotFound(uploadId, ref.repositoryName)
    : RegistryErrors.uploadExpired(uploadId, ref.repositoryName, expiredAt);
};

/** Opens a session in the blob store, then in the log (or in both at once, with a joint step). */
export const initiateUpload = async (
  runtime: Runtime,
  ref: RepositoryRef,
): Result<{ uploadId: UploadId }> => {
  const uploadId = runtime.newId() as UploadId;
  const initiatedAt = runtime.now();
  const command: InitiateLayerUpload = {
    type: "InitiateLayerUpload",
    data: { ...ref, uploadId, initiatedAt, expiresAt: (initiatedAt + runtime.uploadTtl) as Timestamp },
  };
  const { joint } = runtime;
  const joined =
    joint === undefined
      ? undefined
      : await jointly(() => runtime.handler.execute(command, undefined, joint.createUpload(uploadId)));
  if (joined !== undefined) return E.map(() => ({ uploadId }))(joined);
  await runtime.blobs.createUpload(uploadId);
  const executed = await runtime.handler.execute(command);
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
 * A part in memory at its declared range, its bytes written in the transaction that records it (a
 * joint step), or undefined when that cannot be: the caller writes it in two steps.
 */
const writeJointly = async (
  { handler, joint }: Runtime,
  uploadId: UploadId,
  bytes: LayerBytes,
  plan: ReturnType<typeof planPart>,
): Promise<E.Either<RegistryError, { size: number }> | undefined> => {
  if (joint === undefined || !(bytes instanceof Uint8Array) || plan.declared !== bytes.byteLength)
    return undefined;
  const step = joint.appendToUpload(uploadId, plan.first, bytes);
  if (step === undefined) return undefined;
  const executed = await jointly(() => handler.execute(plan.command(bytes.byteLength), undefined, step));
  if (executed === undefined) return undefined;
  return E.isLeft(executed) ? executed : E.right({ size: plan.first + bytes.byteLength });
};

/**
 * Writes one part: at `range` (its length enforced while streaming), or appended at the upload's
 * end with whatever length arrives. The part is decided on before its first byte is written.
 *
 * It is decided on the state this process already holds, with no read first: a refusal is answered
 * only once a catch-up read confirms it, and an acceptance is checked again on the whole log when
 * the part is recorded. Should the log have closed the session in between, the bytes went to an
 * upload being dropped with it. A part appended at the end that the blob store refused (another
 * process had appended) is offered again at the end the whole log knows, if nothing read it yet.
 */
export const writePart = async (
  runtime: Runtime,
  ref: RepositoryRef,
  uploadId: UploadId,
  bytes: LayerBytes,
  range: { readonly first: number; readonly last: number } | undefined,
): Result<{ size: number }> => {
  const { handler } = runtime;
  const uploadedAt = runtime.now();
  let current = false;
  let plan = planPart(runtime, ref, uploadId, range, uploadedAt);
  if (E.isLeft(plan.precheck)) {
    await handler.catchUp();
    current = true;
    plan = planPart(runtime, ref, uploadId, range, uploadedAt);
  }
  if (E.isLeft(plan.precheck)) return plan.precheck;
  const joined = await writeJointly(runtime, uploadId, bytes, plan);
  if (joined !== undefined) return joined;
  const source = watchedBytes(bytes);
  const append = () =>
    appendBytes(
      runtime,
      { ...ref, uploadId, offset: plan.first },
      source.bytes,
      plan.declared,
      plan.resumeAt,
    );
  let appended = await append();
  if (E.isLeft(appended) && !current) {
    // The blob store refused (another part landed first): answer as the whole log says.
    await handler.catchUp();
    const fresh = planPart(runtime, ref, uploadId, range, uploadedAt);
    if (E.isLeft(fresh.precheck)) return fresh.precheck;
    if (range !== undefined || source.read()) return appended;
    plan = fresh;
    appended = await append(); // at the end the whole log knows
  }
  if (E.isLeft(appended)) return appended;
  const length = appended.right.size - plan.first;
  if (length === 0) return appended;
  const executed = await handler.execute(plan.command(length));
  return E.isLeft(executed) ? executed : appended;
};
