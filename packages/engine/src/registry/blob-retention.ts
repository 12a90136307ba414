/**
 * Retaining a blob that is about to be linked (an upload completing, a mount), so garbage collection
 * cannot take it from under a layer being recorded, whatever the grace period. `RetainBlob` goes to
 * the blob's own stream, where the sweep's `CollectBlob` goes too, so the two are ordered: if the
 * retention comes first, the blob is not collected until the upload closes (or the mount links it,
 * or `until` passes); if the collection came first, its bytes are being deleted, and the caller waits
 * for that before it writes them afresh. One event per completed upload of bytes the log already
 * knows buys this; bytes it has never heard of need none (upload-saga.ts, `recordLayer`).
 */
import type { Digest, Timestamp } from "@berth/core";
import type { RegistryRuntime } from "./registry-runtime.js";

type Runtime = Pick<RegistryRuntime, "handler" | "blobs" | "now">;

/** How long to wait for a condemned blob's sweep to delete its bytes before deleting them here. */
const CONDEMNED_BYTES_WAIT_MS = 10_000;
const POLL_MS = 25;

/**
 * The sweep that condemned a blob deletes its bytes right after recording it. Waiting for that (and
 * deleting them here if that sweep died) keeps a stale delete from landing after the bytes are
 * written again: an upload that completes this blob then moves its own bytes into place.
 */
const awaitCondemnedBytes = async ({ blobs }: Runtime, digest: Digest): Promise<void> => {
  const deadline = Date.now() + CONDEMNED_BYTES_WAIT_MS;
  while ((await blobs.stat(digest)) !== undefined) {
    if (Date.now() >= deadline) return blobs.delete(digest);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
};

/** Keeps `digest` from being collected until `retentionId` links it, closes, or `until` passes. */
export const retainBlob = async (
  runtime: Runtime,
  digest: Digest,
  retentionId: string,
  until: Timestamp,
): Promise<void> => {
  const { handler } = runtime;
  const executed = await handler.execute(
    { type: "RetainBlob", data: { digest, retentionId, until, now: runtime.now() } },
    (before) => before.blobs.get(digest)?.collected === true,
  );
  if (executed._tag === "Right" && executed.right.before) await awaitCondemnedBytes(runtime, digest);
};
