/** Reading a request body whole, within a limit checked before and while it arrives. */
import type { IncomingMessage } from "node:http";
import type { BodyBuffers } from "./body-buffers.js";

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`The request body exceeds ${limit} bytes, the largest legal request`);
  }
}

/**
 * The request's chunks; stopping early leaves the request open (the default would destroy it, and
 * its socket with it, before the refusal is sent: see close-after-refusal.ts).
 */
const unowned = (request: IncomingMessage): AsyncIterable<Buffer> =>
  request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;

/**
 * Collects the body, refusing it as soon as it is known to exceed `limit`: from Content-Length
 * before a byte is read, else while counting, so an oversized body is never buffered whole.
 */
export const readBody = async (
  request: IncomingMessage,
  limit: number,
  options: {
    /** Sees each chunk as it arrives (to hash while reading). */
    readonly onChunk?: (chunk: Buffer) => void;
    /** Where a body of declared length gets its buffer (else a new one). */
    readonly buffers?: BodyBuffers;
  } = {},
): Promise<Buffer> => {
  const { onChunk, buffers } = options;
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) throw new BodyTooLargeError(limit);
  // A declared length is the buffer: each chunk copied in once, never the chunks and their concatenation.
  if (Number.isSafeInteger(declared) && declared >= 0) {
    const body = buffers === undefined ? Buffer.allocUnsafe(declared) : buffers.take(declared);
    let filled = 0;
    for await (const chunk of unowned(request)) {
      // Node's parser delivers exactly Content-Length bytes; the check only guards the copy.
      if (filled + chunk.length > declared) throw new BodyTooLargeError(limit);
      onChunk?.(chunk);
      chunk.copy(body, filled);
      filled += chunk.length;
    }
    // The body itself when whole, so that it can go back to `buffers`.
    return filled === declared ? body : body.subarray(0, filled);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of unowned(request)) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    onChunk?.(chunk);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
};
