import { createHash, randomUUID } from "node:crypto";
import type { BlobInfo, JointBlobSteps, JointStep } from "@berth/engine";
import { sha256Digest } from "@berth/engine";
import type { RunningHashes } from "./running-hashes.js";

/**
 * A blob-store write that `berth_append_after` (migration 0009) runs before an append, in its
 * transaction: the arguments of that call, and what the blob store learns once it committed.
 */
export interface PostgresJointStep extends JointStep {
  readonly kind: "create" | "append" | "finish";
  readonly uploadId: string;
  /** The size the step expects the upload at (0 for `create`, the offset, the finished size). */
  readonly offset: number;
  /** The attempt id of an `append`, the digest of a `finish`. */
  readonly text: string | null;
  readonly bytes: Uint8Array | null;
  /** Called once, after the transaction committed. */
  readonly committed: () => void;
}

/** The step, if it is one of this storage's (an event store refuses any other). */
export const postgresJointStep = (step: JointStep, storage: string): PostgresJointStep => {
  if (step.storage !== storage || !("kind" in step))
    throw new Error(`A joint step of storage ${step.storage} was handed to the event store of ${storage}`);
  return step as PostgresJointStep;
};

/**
 * The blob store's joint steps. An append past the first byte, or a finish, is offered only when
 * this process holds the upload's running hash at that size (it wrote the bytes before): the step then vouches for the
 * digest, and the database checks the size under the upload's row lock. Otherwise the separate
 * steps read what they need.
 */
export const createJointBlobSteps = (options: {
  readonly storage: string;
  readonly chunkSize: number;
  readonly hashes: RunningHashes;
}): JointBlobSteps => {
  const { storage, chunkSize, hashes } = options;
  const step = (
    fields: Omit<PostgresJointStep, "storage" | "committed">,
    committed: () => void = () => {},
  ): PostgresJointStep => ({ storage, ...fields, committed });
  return {
    storage,
    createUpload: (uploadId) => step({ kind: "create", uploadId, offset: 0, text: null, bytes: null }),
    appendToUpload: (uploadId, offset, bytes) => {
      if (bytes.byteLength > chunkSize) return undefined;
      // The hash of no bytes needs no reading; past them, this process must hold it.
      const hash = offset === 0 ? createHash("sha256") : hashes.peek(uploadId, offset);
      if (hash === undefined) return undefined;
      const attemptId = randomUUID();
      return step({ kind: "append", uploadId, offset, text: attemptId, bytes }, () => {
        hash.update(bytes);
        hashes.remember(uploadId, offset + bytes.byteLength, hash);
      });
    },
    uploadWritten: (uploadId) => {
      const size = hashes.latestSize(uploadId);
      const hash = size === undefined ? undefined : hashes.peek(uploadId, size);
      return size === undefined || hash === undefined ? undefined : { size, digest: sha256Digest(hash) };
    },
    finishUpload: (uploadId, expected: BlobInfo) => {
      const hash = hashes.peek(uploadId, expected.size);
      if (hash === undefined || sha256Digest(hash) !== expected.digest) return undefined;
      return step(
        { kind: "finish", uploadId, offset: expected.size, text: expected.digest, bytes: null },
        () => hashes.forget(uploadId),
      );
    },
  };
};
