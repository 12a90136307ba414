/**
 * A state snapshot as bytes: one line naming the sha256 of the rest (as written, before
 * compression), the stream of the event at the snapshot's position and the body's encoding, then
 * the core's snapshot lines (encodeStateSnapshot), gzipped. Encoding yields to the event loop every
 * few milliseconds, so a big state never stalls requests for long, and compression runs on libuv's
 * thread pool; decoding refuses bytes whose hash does not match, or that the core refuses.
 *
 * Gzip at level 1 makes the text about four times smaller: a restart reads a quarter of the bytes
 * from the store, and inflating them (off the event loop) costs less than reading the rest.
 */
import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import { pipeline, Readable, type TransformOptions } from "node:stream";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { createGunzip, createGzip, type ZlibOptions } from "node:zlib";
import {
  createSnapshotDecoder,
  encodeStateSnapshot,
  type SnapshotDecoder,
  type StateSnapshot,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { RestoredState } from "../command-handler.js";
import type { SnapshotBytes } from "../ports/snapshot-store.js";

/** The longest the encoder runs before it lets the event loop turn (milliseconds). */
const SLICE_MS = 10;

interface Envelope {
  readonly sha256: string;
  readonly lastStream: string | null;
  /** "gzip"; absent: the lines as they are. */
  readonly encoding?: "gzip";
}

/** Inflated bytes per chunk when decoding (a test makes them tiny, to split lines anywhere). */
const CHUNK = 1024 * 1024;
const MIN_ZLIB_CHUNK = 64;

export interface EncodedSnapshot {
  readonly bytes: Uint8Array;
  /** The longest stretch the encoder held the event loop, in milliseconds. */
  readonly longestSliceMs: number;
}

/** A gzip stream fed line by line, with backpressure; its output collected, as chunks. */
const gzipStream = () => {
  const stream = createGzip({ level: 1 });
  const output: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => output.push(chunk));
  const ended = new Promise<Buffer[]>((resolve, reject) => {
    stream.once("end", () => resolve(output));
    stream.once("error", reject);
  });
  return {
    write: async (bytes: Buffer) => {
      if (!stream.write(bytes)) await once(stream, "drain");
    },
    end: () => {
      stream.end();
      return ended;
    },
  };
};

export const encodeSnapshotBytes = async (
  snapshot: StateSnapshot & { readonly lastStream: string | undefined },
): Promise<EncodedSnapshot> => {
  const hash = createHash("sha256");
  // Each line goes to the compressor as it is encoded: the whole text is never held at once.
  const gzip = gzipStream();
  let sliceStart = performance.now();
  let longestSliceMs = 0;
  /** Lets the event loop turn once this slice has run its time. */
  const pause = async () => {
    const elapsed = performance.now() - sliceStart;
    if (elapsed < SLICE_MS) return;
    longestSliceMs = Math.max(longestSliceMs, elapsed);
    await yieldToEventLoop();
    sliceStart = performance.now();
  };
  for (const line of encodeStateSnapshot(snapshot)) {
    const bytes = Buffer.from(line, "utf8");
    hash.update(bytes);
    await gzip.write(bytes);
    await pause();
  }
  longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
  const body = await gzip.end();
  const envelope: Envelope = {
    sha256: hash.digest("hex"),
    lastStream: snapshot.lastStream ?? null,
    encoding: "gzip",
  };
  // One copy of the compressed chunks, behind the envelope (200 MB at a million images).
  return {
    bytes: Buffer.concat([Buffer.from(`${JSON.stringify(envelope)}\n`, "utf8"), ...body]),
    longestSliceMs,
  };
};

/** `chunks` cut to at most `size` bytes each. */
async function* rechunked(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  for await (const chunk of chunks)
    for (let at = 0; at < chunk.byteLength; at += size) yield chunk.subarray(at, at + size);
}

/** The body's bytes as they inflate (or as they are), `chunk` bytes at a time. */
function bodyChunks(
  body: AsyncIterable<Buffer>,
  encoding: Envelope["encoding"],
  chunk: number,
): AsyncIterable<Buffer> {
  if (encoding === undefined) return rechunked(body, chunk);
  // Inflation runs on the thread pool, a few chunks ahead of the decoder on the event loop, and
  // takes the stored bytes as they arrive. (zlib streams take Transform's options too; @types/node
  // does not list them.)
  const options: ZlibOptions & TransformOptions = {
    chunkSize: Math.max(chunk, MIN_ZLIB_CHUNK),
    readableHighWaterMark: 4 * chunk,
  };
  const inflate = createGunzip(options);
  // An error of either side ends the iteration below with it; the callback only keeps it handled.
  pipeline(Readable.from(body, { objectMode: false }), inflate, () => {});
  return rechunked(inflate, chunk);
}

/**
 * Hashes the chunks and feeds `decoder` their lines. A line spans chunks as often as not: its
 * pieces wait in `partial` until its newline arrives. Once the decoder refused a line, the rest is
 * only hashed (a corrupt text is then named by its hash).
 */
const feedLines = async (
  chunks: AsyncIterable<Buffer>,
  decoder: SnapshotDecoder,
  hash: Hash,
): Promise<void> => {
  let decoding = true;
  let partial: Buffer[] = [];
  for await (const chunk of chunks) {
    hash.update(chunk);
    if (!decoding) continue;
    let at = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1 && decoding; newline = chunk.indexOf(0x0a, at)) {
      const line =
        partial.length === 0
          ? chunk.toString("utf8", at, newline)
          : Buffer.concat([...partial, chunk.subarray(at, newline)]).toString("utf8");
      partial = [];
      at = newline + 1;
      decoding = decoder.push(line);
    }
    if (decoding && at < chunk.byteLength) partial.push(chunk.subarray(at));
  }
  if (decoding && partial.length > 0) decoder.push(Buffer.concat(partial).toString("utf8"));
};

/** The longest envelope line read before the bytes are taken for something else. */
const MAX_ENVELOPE_BYTES = 64 * 1024;

const parseEnvelope = (line: Buffer): Partial<Envelope> | undefined => {
  try {
    const envelope = JSON.parse(line.toString("utf8")) as unknown;
    return typeof envelope === "object" && envelope !== null ? (envelope as Partial<Envelope>) : undefined;
  } catch {
    return undefined;
  }
};

/** The envelope line (read from the first chunks) and the bytes after it, still to come. */
const splitEnvelope = async (
  chunks: AsyncIterator<Uint8Array>,
): Promise<{ envelope: Partial<Envelope> | undefined; body: AsyncIterable<Buffer> }> => {
  let head = Buffer.alloc(0);
  for (let newline = -1; newline === -1; newline = head.indexOf(0x0a)) {
    const next = head.byteLength > MAX_ENVELOPE_BYTES ? undefined : await chunks.next();
    if (next === undefined || next.done === true)
      return { envelope: undefined, body: (async function* () {})() };
    const bytes = next.value;
    head = Buffer.concat([head, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  }
  const newline = head.indexOf(0x0a);
  const rest = head.subarray(newline + 1);
  async function* body(): AsyncGenerator<Buffer> {
    if (rest.byteLength > 0) yield rest;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next())
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }
  return { envelope: parseEnvelope(head.subarray(0, newline)), body: body() };
};

const iteratorOf = (state: SnapshotBytes): AsyncIterator<Uint8Array> =>
  state instanceof Uint8Array
    ? (async function* () {
        yield state;
      })()
    : state[Symbol.asyncIterator]();

/**
 * The snapshot in `state`, or why it is refused (its hash, its format, its schema). The body is
 * inflated, hashed and decoded line by line as one stream, as the store delivers it: neither the
 * stored bytes nor the inflated text need be held whole, and a hash that does not match refuses
 * the decoded state at the end. A stream is always read to its end or closed (its `return`), so a
 * store can release what it holds.
 */
export const decodeSnapshotBytes = async (
  state: SnapshotBytes,
  options: { readonly chunkBytes?: number } = {},
): Promise<E.Either<string, RestoredState>> => {
  const chunks = iteratorOf(state);
  try {
    return await decodeChunks(chunks, options.chunkBytes ?? CHUNK);
  } finally {
    await chunks.return?.();
  }
};

const decodeChunks = async (
  chunks: AsyncIterator<Uint8Array>,
  chunkBytes: number,
): Promise<E.Either<string, RestoredState>> => {
  const { envelope, body } = await splitEnvelope(chunks);
  if (envelope === undefined) return E.left("not a snapshot: no envelope");
  if (envelope.encoding !== undefined && envelope.encoding !== "gzip")
    return E.left(`an unknown encoding ${String(envelope.encoding)}`);
  if (typeof envelope.sha256 !== "string") return E.left("corrupt: its sha256 does not match");
  const decoder = createSnapshotDecoder();
  const hash = createHash("sha256");
  try {
    await feedLines(bodyChunks(body, envelope.encoding, chunkBytes), decoder, hash);
  } catch (error) {
    // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR…) say the bytes are corrupt; anything else is a bug.
    if (
      typeof (error as { code?: unknown })?.code === "string" &&
      (error as { code: string }).code.startsWith("Z_")
    )
      return E.left("corrupt: its body does not inflate");
    throw error;
  }
  if (hash.digest("hex") !== envelope.sha256) return E.left("corrupt: its sha256 does not match");
  const lastStream = typeof envelope.lastStream === "string" ? envelope.lastStream : undefined;
  return E.map((restored: Omit<RestoredState, "lastStream">) => ({ ...restored, lastStream }))(decoder.end());
};
