/**
 * Retaining a blob that is about to be linked again, so garbage collection cannot take it from
 * under a layer being recorded. Only a blob that no image references can be collected, so only such
 * a blob is retained: `RetainBlob` goes to the blob's own stream, where the sweep's `CollectBlob`
 * goes too, so the two are ordered. If the retention comes first, the blob is idle again from now
 * and the sweep leaves it for another grace period; if the collection came first, its bytes are
 * being deleted, and the caller waits for that before it writes them afresh.
 */
import type { Digest } from "@berth/core";
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

/** Keeps `digest` from being collected while it is linked again; a no-op for a referenced blob. */
export const retainBlob = async (runtime: Runtime, digest: Digest): Promise<void> => {
  const { handler } = runtime;
  const entry = handler.state.blobs.get(digest);
  if (entry === undefined || entry.references > 0) return;
  const executed = await handler.execute(
    { type: "RetainBlob", data: { digest, now: runtime.now() } },
    (before) => before.blobs.get(digest)?.collected === true,
  );
  if (executed._tag === "Right" && executed.right.before) await awaitCondemnedBytes(runtime, digest);
};
