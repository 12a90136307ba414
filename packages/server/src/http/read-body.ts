/** Reading a request body whole, within a limit checked before and while it arrives. */
import type { IncomingMessage } from "node:http";

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`The request body exceeds ${limit} bytes, the largest legal request`);
  }
}

/**
 * Collects the body, refusing it as soon as it is known to exceed `limit`: from Content-Length
 * before a byte is read, else while counting, so an oversized body is never buffered whole.
 */
export const readBody = async (
  request: IncomingMessage,
  limit: number,
  /** Sees each chunk as it arrives (to hash while reading). */
  onChunk?: (chunk: Buffer) => void,
): Promise<Buffer> => {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    onChunk?.(chunk);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
};
