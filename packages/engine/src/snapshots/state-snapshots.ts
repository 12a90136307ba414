/**
 * Snapshots of the folded state, so that a start folds only the events after the latest one:
 * `restore` loads it (once, before the first catch-up) and checks it against the log; the writer
 * takes one in the background every so many events or so much time, off the request path.
 *
 * Taking a snapshot copies the state synchronously (a consistent cut while commands go on folding),
 * then encodes the copy in slices of a few milliseconds and saves it. Snapshot work is kept to about
 * a tenth of the time: the next one waits at least ten times as long as the last one took.
 */
import * as E from "fp-ts/lib/Either.js";
import type { CommandHandler, RestoredState } from "../command-handler.js";
import type { EventStore } from "../ports/event-store.js";
import type { SnapshotBytes, SnapshotStore } from "../ports/snapshot-store.js";
import { decodeSnapshotBytes, encodeSnapshotBytes } from "./snapshot-bytes.js";

export interface SnapshotOptions {
  readonly store: SnapshotStore;
  /** Take a snapshot once this many events were folded since the last one (default 10,000; 0: never). */
  readonly everyEvents?: number;
  /** …or once this long passed since the last one and anything was folded (ms, default 5 minutes). */
  readonly everyMs?: number;
  /** What happened to snapshots (default: refusals and failures are warned about on the console). */
  readonly onReport?: (report: SnapshotReport) => void;
}

export type SnapshotReport =
  | {
      readonly type: "restored";
      readonly position: bigint;
      readonly bytes: number;
      /**
       * In all, and of it: until the store answered (a store that streams the bytes answers before
       * they arrive), then reading the bytes, checking and decoding them (overlapped).
       */
      readonly ms: number;
      readonly loadMs: number;
      readonly decodeMs: number;
    }
  | { readonly type: "refused"; readonly reason: string }
  | {
      readonly type: "saved";
      readonly position: bigint;
      readonly bytes: number;
      /** The synchronous copy of the state: the one stretch the event loop is held for. */
      readonly captureMs: number;
      /** Encoding in slices (the longest one below), and saving. */
      readonly encodeMs: number;
      readonly longestSliceMs: number;
      readonly saveMs: number;
    }
  | { readonly type: "failed"; readonly error: unknown };

export const DEFAULT_SNAPSHOT_EVERY_EVENTS = 10_000;
export const DEFAULT_SNAPSHOT_EVERY_MS = 5 * 60_000;

const defaultReport = (report: SnapshotReport): void => {
  if (report.type === "refused")
    console.warn(`berth: ignoring the state snapshot (${report.reason}); folding the whole log`);
  if (report.type === "failed") console.warn("berth: a state snapshot failed", report.error);
};

export interface StateSnapshots {
  /** Loads the latest snapshot; undefined when there is none or it is refused (then the log is folded). */
  restore(): Promise<RestoredState | undefined>;
  /** Starts writing snapshots of `handler`'s state in the background. */
  start(handler: CommandHandler): void;
  /** Takes a snapshot of the state as it is now (after one under way, if any). */
  saveNow(): Promise<void>;
  /** Stops the writer, waiting for a snapshot under way. */
  stop(): Promise<void>;
}

/** The stored bytes, counted as they pass (a streamed snapshot's size is known once it is read). */
const countedBytes = (state: SnapshotBytes): { readonly state: SnapshotBytes; bytes(): number } => {
  if (state instanceof Uint8Array) return { state, bytes: () => state.byteLength };
  let bytes = 0;
  async function* counting(): AsyncGenerator<Uint8Array> {
    for await (const chunk of state as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      yield chunk;
    }
  }
  return { state: counting(), bytes: () => bytes };
};

/** Whether the log still holds the event the snapshot was taken at (not a restored backup, say). */
const logHolds = async (events: EventStore, restored: RestoredState): Promise<boolean> => {
  if (restored.position === 0n) return true;
  const [event] = await events.readAll({ after: restored.position - 1n, maxCount: 1 });
  return (
    event !== undefined &&
    event.globalPosition === restored.position &&
    event.streamName === restored.lastStream &&
    restored.versions.get(event.streamName) === event.streamVersion
  );
};

export const createStateSnapshots = (events: EventStore, options: SnapshotOptions): StateSnapshots => {
  const { store } = options;
  const everyEvents = options.everyEvents ?? DEFAULT_SNAPSHOT_EVERY_EVENTS;
  const everyMs = options.everyMs ?? DEFAULT_SNAPSHOT_EVERY_MS;
  const report = options.onReport ?? defaultReport;
  let handler: CommandHandler | undefined;
  let saved = { position: 0n, at: Date.now(), tookMs: 0 };
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const restore = async (): Promise<RestoredState | undefined> => {
    const started = performance.now();
    let stored: Awaited<ReturnType<SnapshotStore["load"]>>;
    try {
      stored = await store.load();
    } catch (error) {
      report({ type: "failed", error });
      return undefined;
    }
    if (stored === undefined) return undefined;
    const loaded = performance.now();
    const counted = countedBytes(stored.state);
    // Whatever goes wrong decoding a snapshot (it is only a shortcut) refuses it: the log is folded.
    const decoded = await decodeSnapshotBytes(counted.state).catch((error: unknown) =>
      E.left(`it could not be decoded: ${String(error)}`),
    );
    const decodeMs = performance.now() - loaded;
    const refused = (reason: string) => {
      report({ type: "refused", reason });
      return undefined;
    };
    if (E.isLeft(decoded)) return refused(decoded.left);
    if (decoded.right.position !== stored.position) return refused("its position is not the one stored");
    if (!(await logHolds(events, decoded.right)))
      return refused(`the event log does not hold the event at position ${stored.position}`);
    saved = { ...saved, position: stored.position };
    const ms = performance.now() - started;
    const bytes = counted.bytes();
    report({ type: "restored", position: stored.position, bytes, ms, loadMs: loaded - started, decodeMs });
    return decoded.right;
  };

  const write = async (from: CommandHandler): Promise<void> => {
    const started = performance.now();
    const snapshot = from.capture();
    const captured = performance.now();
    const { bytes, longestSliceMs } = await encodeSnapshotBytes(snapshot);
    const encoded = performance.now();
    await store.save(snapshot.position, bytes);
    const done = performance.now();
    saved = { position: snapshot.position, at: Date.now(), tookMs: done - started };
    report({
      type: "saved",
      position: snapshot.position,
      bytes: bytes.byteLength,
      captureMs: captured - started,
      encodeMs: encoded - captured,
      longestSliceMs,
      saveMs: done - encoded,
    });
  };

  const begin = (from: CommandHandler): Promise<void> => {
    writing ??= write(from)
      .catch((error: unknown) => report({ type: "failed", error }))
      .finally(() => {
        writing = undefined;
      });
    return writing;
  };

  const due = (from: CommandHandler): boolean => {
    const since = from.position - saved.position;
    if (since <= 0n || Date.now() - saved.at < 10 * saved.tookMs) return false;
    return since >= BigInt(everyEvents) || Date.now() - saved.at >= everyMs;
  };

  return {
    restore,
    start(from) {
      handler = from;
      if (everyEvents <= 0) return;
      timer = setInterval(
        () => {
          if (writing === undefined && due(from)) void begin(from);
        },
        Math.min(everyMs, 1000),
      );
      timer.unref();
    },
    saveNow: async () => {
      await writing;
      if (handler !== undefined) await begin(handler);
    },
    async stop() {
      clearInterval(timer);
      await writing;
    },
  };
};
