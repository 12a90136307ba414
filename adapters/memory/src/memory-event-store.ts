import {
  type AppendResult,
  createWakeSignal,
  type EventStore,
  type EventToAppend,
  type ExpectedStreamVersion,
  ExpectedVersionConflictError,
  type GuardedAppendResult,
  isExpectedVersion,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from "@berth/engine";
import { frozenJsonCopy } from "./frozen-json-copy.js";

export interface MemoryEventStoreOptions {
  /** The store's clock for `recordedAt` (epoch milliseconds); defaults to Date.now. */
  readonly clock?: () => number;
}

/**
 * An EventStore in process memory. The global log is an append-only array where an event at index i
 * has position i + 1, so appends cost O(events appended) and reads slice without searching.
 */
export const createMemoryEventStore = (options: MemoryEventStoreOptions = {}): EventStore => {
  const clock = options.clock ?? Date.now;
  const log: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  /** readImageManifest's index: the last ImagePushed manifest of each stream and digest. */
  const manifests = new Map<string, string>();
  const manifestKey = (streamName: string, digest: string) => `${streamName}\n${digest}`;
  const indexManifest = (streamName: string, type: string, data: unknown) => {
    if (type !== "ImagePushed") return;
    const { imageDigest, imageManifest } = data as { imageDigest?: unknown; imageManifest?: unknown };
    if (typeof imageDigest === "string" && typeof imageManifest === "string") {
      manifests.set(manifestKey(streamName, imageDigest), imageManifest);
    }
  };
  const appended = createWakeSignal();
  let closed = false;

  const appendToStream = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected?: ExpectedStreamVersion,
  ): Promise<AppendResult> => {
    const stream = streams.get(streamName) ?? [];
    if (!isExpectedVersion(expected, stream.length)) {
      throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", stream.length);
    }
    // Copy before touching the log, so a value JSON cannot hold fails the append with nothing written.
    const copies = events.map((event) => ({ type: event.type, data: frozenJsonCopy(event.data) }));
    const recordedAt = clock();
    for (const { type, data } of copies) {
      const recorded: RecordedEvent = Object.freeze({
        streamName,
        streamVersion: stream.length + 1,
        globalPosition: BigInt(log.length + 1),
        type,
        data,
        recordedAt,
      });
      stream.push(recorded);
      log.push(recorded);
      indexManifest(streamName, type, data);
    }
    if (stream.length > 0) streams.set(streamName, stream);
    if (copies.length > 0) appended.notify(copies.map(({ type }) => type));
    return {
      nextExpectedStreamVersion: stream.length,
      lastGlobalPosition: stream.at(-1)?.globalPosition ?? 0n,
    };
  };

  /** Atomic: nothing else runs between the check and the append. */
  const appendIfLogAt = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected: ExpectedStreamVersion | undefined,
    position: bigint,
  ): Promise<GuardedAppendResult> => {
    const logPosition = BigInt(log.length);
    if (logPosition === position) return { appended: await appendToStream(streamName, events, expected) };
    return { missed: log.slice(Number(position)), logPosition };
  };

  const readStream = async (
    streamName: string,
    { afterVersion = 0, maxCount }: ReadStreamOptions = {},
  ): Promise<ReadonlyArray<RecordedEvent>> => {
    const stream = streams.get(streamName) ?? [];
    const start = Math.max(afterVersion, 0);
    return stream.slice(start, maxCount === undefined ? undefined : start + Math.max(maxCount, 0));
  };

  const readAll = async ({
    after = 0n,
    maxCount,
  }: ReadAllOptions = {}): Promise<ReadonlyArray<RecordedEvent>> => {
    const start = after > 0n ? Number(after) : 0;
    return log.slice(start, maxCount === undefined ? undefined : start + Math.max(maxCount, 0));
  };

  async function* subscribe({
    after = 0n,
    signal,
    types,
  }: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const followed = types === undefined ? undefined : new Set(types);
    const waitOptions = {
      ...(signal === undefined ? {} : { signal }),
      ...(followed === undefined ? {} : { types: followed }),
    };
    let next = after > 0n ? Number(after) : 0;
    while (!closed && signal?.aborted !== true) {
      const round = appended.round();
      const event = log[next];
      if (event === undefined) {
        await appended.wait(round, waitOptions);
        continue;
      }
      next += 1;
      if (followed === undefined || followed.has(event.type)) yield event;
    }
  }

  return {
    appendToStream,
    appendIfLogAt,
    readStream,
    streamVersion: async (streamName) => streams.get(streamName)?.length ?? 0,
    readImageManifest: async (streamName, digest) => manifests.get(manifestKey(streamName, digest)),
    readAll,
    subscribe,
    async close() {
      closed = true;
      appended.notify();
    },
  };
};
