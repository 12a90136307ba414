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
import { createHash } from "node:crypto";
import { once } from "node:events";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { promisify } from "node:util";
import { createGzip, gunzip } from "node:zlib";
import { decodeStateSnapshot, encodeStateSnapshot, type StateSnapshot } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { RestoredState } from "../command-handler.js";

/** The longest the encoder runs before it lets the event loop turn (milliseconds). */
const SLICE_MS = 10;

interface Envelope {
  readonly sha256: string;
  readonly lastStream: string | null;
  /** "gzip"; absent: the lines as they are. */
  readonly encoding?: "gzip";
}

const gunzipped = promisify(gunzip);

export interface EncodedSnapshot {
  readonly bytes: Uint8Array;
  /** The longest stretch the encoder held the event loop, in milliseconds. */
  readonly longestSliceMs: number;
}

/** A gzip stream fed line by line, with backpressure; its output collected. */
const gzipStream = () => {
  const stream = createGzip({ level: 1 });
  const output: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => output.push(chunk));
  const ended = new Promise<Buffer>((resolve, reject) => {
    stream.once("end", () => resolve(Buffer.concat(output)));
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
  return {
    bytes: Buffer.concat([Buffer.from(`${JSON.stringify(envelope)}\n`, "utf8"), body]),
    longestSliceMs,
  };
};

/** The sha256 of `bytes` in hex, fed in slices (one update takes at most 2 GiB). */
const sha256Hex = (bytes: Buffer): string => {
  const hash = createHash("sha256");
  const SLICE = 256 * 1024 * 1024;
  for (let at = 0; at < bytes.byteLength; at += SLICE) hash.update(bytes.subarray(at, at + SLICE));
  return hash.digest("hex");
};

/** The lines of `bytes` from `start`, without their "\n", decoded one at a time. */
function* linesOf(bytes: Buffer, start: number): Generator<string> {
  for (let at = start; at < bytes.byteLength; ) {
    const newline = bytes.indexOf(0x0a, at);
    const end = newline === -1 ? bytes.byteLength : newline;
    yield bytes.toString("utf8", at, end);
    at = end + 1;
  }
}

/** The snapshot in `bytes`, or why it is refused (its hash, its format, its schema). */
export const decodeSnapshotBytes = async (state: Uint8Array): Promise<E.Either<string, RestoredState>> => {
  const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) return E.left("not a snapshot: no envelope");
  let envelope: Partial<Envelope>;
  try {
    envelope = JSON.parse(bytes.toString("utf8", 0, newline)) as Partial<Envelope>;
  } catch {
    return E.left("not a snapshot: no envelope");
  }
  let body = bytes.subarray(newline + 1);
  if (envelope?.encoding === "gzip") {
    try {
      body = await gunzipped(body);
    } catch {
      return E.left("corrupt: its body does not inflate");
    }
  } else if (envelope?.encoding !== undefined)
    return E.left(`an unknown encoding ${String(envelope.encoding)}`);
  if (typeof envelope?.sha256 !== "string" || sha256Hex(body) !== envelope.sha256)
    return E.left("corrupt: its sha256 does not match");
  const lastStream = typeof envelope.lastStream === "string" ? envelope.lastStream : undefined;
  return E.map((restored: Omit<RestoredState, "lastStream">) => ({ ...restored, lastStream }))(
    decodeStateSnapshot(linesOf(body, 0)),
  );
};
