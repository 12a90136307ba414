/** Byte plumbing for layer parts: every part reaches the blob store as a stream, counted on the way. */

export type LayerBytes = Uint8Array | AsyncIterable<Uint8Array>;

/** The part holds another number of bytes than its range declares: nothing was written. */
export class PartLengthMismatchError extends Error {
  override readonly name = "PartLengthMismatchError";
  constructor(
    readonly declared: number,
    readonly received: number,
    readonly complete: boolean,
  ) {
    super(`The part declares ${declared} bytes but holds ${complete ? "" : "at least "}${received}`);
  }
}

/**
 * `bytes`, and whether anything began reading them: a stream nobody began to read (a blob store
 * refuses an append at the wrong offset before that) may be offered again. Bytes in memory always may.
 */
export const watchedBytes = (
  bytes: LayerBytes,
): { readonly bytes: LayerBytes; readonly read: () => boolean } => {
  if (bytes instanceof Uint8Array) return { bytes, read: () => false };
  let read = false;
  const watched: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      read = true;
      return bytes[Symbol.asyncIterator]();
    },
  };
  return { bytes: watched, read: () => read };
};

/**
 * `bytes` as they are when they are already in memory and of the declared length (the blob store
 * may then write them in one step); else a stream of them that fails (so the blob store keeps
 * nothing of it) as soon as it holds more than `declared` bytes, or when it ends holding fewer.
 */
export const exactly = (declared: number, bytes: LayerBytes): LayerBytes =>
  bytes instanceof Uint8Array && bytes.byteLength === declared ? bytes : counted(declared, bytes);

async function* counted(declared: number, bytes: LayerBytes): AsyncIterable<Uint8Array> {
  let received = 0;
  for await (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
    received += chunk.length;
    if (received > declared) throw new PartLengthMismatchError(declared, received, false);
    yield chunk;
  }
  if (received !== declared) throw new PartLengthMismatchError(declared, received, true);
}
