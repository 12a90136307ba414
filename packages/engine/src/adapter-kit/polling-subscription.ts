import type { ReadAllOptions, RecordedEvent, SubscribeOptions } from "../ports/event-store.js";
import type { WakeSignal } from "./wake-signal.js";

export interface PollingSubscriptionOptions {
  readonly readAll: (options: ReadAllOptions) => Promise<ReadonlyArray<RecordedEvent>>;
  /** Notified by the store's own appends (and its notification channel, if it has one). */
  readonly appended: WakeSignal;
  /** Whether the store is closed: the subscription then ends. */
  readonly isClosed: () => boolean;
  /** The most events one read returns: a shorter batch means caught up. */
  readonly batchSize: number;
  /** How long a caught-up subscriber waits when nothing wakes it before it reads again. */
  readonly pollIntervalMs: number;
}

/**
 * `EventStore.subscribe` for stores that read their log in batches: reads after the last position
 * read until caught up, then waits for a wake-up or the poll interval. With `types`, it delivers
 * only those and sleeps through appends of others (the wake-up names what was appended), reading
 * past them at its next wake-up or poll. A read that fails while the store closes ends the
 * subscription quietly (closing may end connections under it).
 */
export async function* pollingSubscription(
  options: PollingSubscriptionOptions,
  { after = 0n, signal, types }: SubscribeOptions = {},
): AsyncGenerator<RecordedEvent> {
  const { readAll, appended, batchSize, pollIntervalMs } = options;
  const stopped = () => options.isClosed() || signal?.aborted === true;
  const followed = types === undefined ? undefined : new Set(types);
  const waitOptions = {
    timeoutMs: pollIntervalMs,
    ...(signal === undefined ? {} : { signal }),
    ...(followed === undefined ? {} : { types: followed }),
  };
  let position = after;
  while (!stopped()) {
    const round = appended.round();
    let batch: ReadonlyArray<RecordedEvent>;
    try {
      batch = await readAll({ after: position, maxCount: batchSize });
    } catch (error) {
      if (stopped()) return;
      throw error;
    }
    for (const event of batch) {
      if (stopped()) return;
      position = event.globalPosition;
      if (followed === undefined || followed.has(event.type)) yield event;
    }
    if (batch.length < batchSize) await appended.wait(round, waitOptions);
  }
}
