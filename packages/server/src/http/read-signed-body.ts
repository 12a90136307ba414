/**
 * Reading a signed body whole within a limit, hashing it (SHA-256, once) as it streams in, so the
 * signature can be verified against the hash without a second pass over the bytes.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { BodyBuffers } from "./body-buffers.js";
import { readBody } from "./read-body.js";

export interface SignedBody {
  readonly body: Buffer;
  /** Hex SHA-256 of `body`; undefined when no signature will be checked (nothing to hash for). */
  readonly sha256: string | undefined;
}

export const readSignedBody = async (
  request: IncomingMessage,
  limit: number,
  verified: boolean,
  buffers?: BodyBuffers,
): Promise<SignedBody> => {
  const from = buffers === undefined ? {} : { buffers };
  if (!verified) return { body: await readBody(request, limit, from), sha256: undefined };
  const hash = createHash("sha256");
  const body = await readBody(request, limit, { ...from, onChunk: (chunk) => hash.update(chunk) });
  return { body, sha256: hash.digest("hex") };
};
