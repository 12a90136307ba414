import type { EventStore, RecordedEvent } from "@berth/engine";

/**
 * Follows `store.subscribe({ after, types })` and keeps the events `owns` selects, until one of them is
 * `isLast`. Gives up after `timeoutMs` and returns what it has, so a test fails with a diff, not a hang.
 */
export const collectUntil = async (
  store: EventStore,
  options: {
    readonly after: bigint;
    readonly owns: (event: RecordedEvent) => boolean;
    readonly isLast: (event: RecordedEvent) => boolean;
    readonly timeoutMs?: number;
    /** Subscribe to these types only. */
    readonly types?: ReadonlyArray<string>;
  },
): Promise<RecordedEvent[]> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const events: RecordedEvent[] = [];
  try {
    const { after, types } = options;
    const subscription = store.subscribe({ after, signal: controller.signal, ...(types ? { types } : {}) });
    for await (const event of subscription) {
      if (!options.owns(event)) continue;
      events.push(event);
      if (options.isLast(event)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
};

/** Resolves with `promise`, or rejects when it takes longer than `ms`. */
export const within = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
