/**
 * Joint steps: blob-store writes that commit inside an event-store append, for a storage that keeps
 * both in one database (PostgreSQL). A layer upload then costs one round trip per request: the
 * upload opened with its `InitiateLayerUpload`, a part's bytes with its event, the blob made with
 * its layer. Both commit or neither, so the windows between them that a crash could fall into are
 * gone too.
 *
 * A blob store offers them (`BlobStore.joint`); the event store of the same storage names that
 * storage (`EventStore.jointStorage`) and carries a step out when it is handed one with an append.
 * The engine only hands steps from one to the other and never looks inside. A step that cannot be
 * carried out (the upload is gone, or not at the offset or size the step expected) makes the append
 * throw JointStepFailedError with nothing written, events included; the engine then takes the
 * separate steps, whose errors say what happened.
 */
/** A blob-store write an event store carries out with an append; opaque to the engine. */
export interface JointStep {
  /** The storage whose event store can carry it out (`JointBlobSteps.storage`). */
  readonly storage: string;
}

/** The step could not be carried out: nothing was written, neither the step nor the events. */
export class JointStepFailedError extends Error {
  override readonly name = "JointStepFailedError";
}

export interface JointBlobSteps {
  /** Names the storage: steps go only to an event store whose `jointStorage` is the same. */
  readonly storage: string;
  /** Starts an empty upload session with the caller's id. */
  createUpload(uploadId: string): JointStep;
  /**
   * Appends `bytes` at `offset`, or undefined when the store takes them only on their own (more
   * than one step holds, or it would have to read the upload first to hash them).
   */
  appendToUpload(uploadId: string, offset: number, bytes: Uint8Array): JointStep | undefined;
  /**
   * The size and digest of what this process last wrote to the upload, without reading: unconfirmed,
   * since another process may have appended since. A finish step made from them checks the size when
   * it runs, so a completion decided on them stands only once that step committed.
   */
  uploadWritten(uploadId: string): { readonly size: number; readonly digest: string } | undefined;
  /**
   * Makes the upload the blob `expected`, or undefined when the store cannot vouch for the digest
   * without reading the bytes (another process wrote them): the separate finishUpload does that.
   */
  finishUpload(
    uploadId: string,
    expected: { readonly digest: string; readonly size: number },
  ): JointStep | undefined;
}
