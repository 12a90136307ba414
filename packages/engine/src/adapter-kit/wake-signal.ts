/**
 * Wakes waiting subscribers when events are appended. A subscriber takes the current round before
 * it looks for events and then waits on that round, so a notify() that lands in between still wakes
 * it. Waiters that time out or abort are removed, so an idle subscriber polling for hours holds
 * nothing.
 *
 * A notify may name the types of the events appended, and a waiter the types it follows: it is then
 * woken only by a notify that names one of them, or names none (types unknown, as after a
 * notification from an older process). So a subscriber to scans does not read the log again for
 * every image pushed.
 */
export interface WakeSignal {
  round(): number;
  /**
   * Settles at the first notify() of a later round (of a later round that concerns `types`, when
   * given), after `timeoutMs`, or when `signal` aborts.
   */
  wait(
    round: number,
    options?: {
      readonly timeoutMs?: number;
      readonly signal?: AbortSignal;
      readonly types?: ReadonlySet<string>;
    },
  ): Promise<void>;
  /** Starts a new round; `types`: those of the events appended, when known. */
  notify(types?: Iterable<string>): void;
}

interface Waiter {
  readonly types: ReadonlySet<string> | undefined;
  readonly done: () => void;
}

export const createWakeSignal = (): WakeSignal => {
  let current = 0;
  /** The last round whose notify named no types; and, per type, the last round that named it. */
  let lastUntyped = 0;
  const lastOfType = new Map<string, number>();
  const waiting = new Set<Waiter>();

  const concerns = (types: ReadonlySet<string> | undefined, since: number): boolean => {
    if (types === undefined) return current > since;
    if (lastUntyped > since) return true;
    for (const type of types) if ((lastOfType.get(type) ?? 0) > since) return true;
    return false;
  };

  return {
    round: () => current,
    wait(round, { timeoutMs, signal, types } = {}) {
      if (concerns(types, round) || signal?.aborted === true) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter: Waiter = {
          types,
          done: () => {
            waiting.delete(waiter);
            clearTimeout(timer);
            signal?.removeEventListener("abort", waiter.done);
            resolve();
          },
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(waiter.done, timeoutMs);
        signal?.addEventListener("abort", waiter.done);
        waiting.add(waiter);
      });
    },
    notify(types) {
      current += 1;
      const named = types === undefined ? undefined : new Set(types);
      if (named === undefined) lastUntyped = current;
      else for (const type of named) lastOfType.set(type, current);
      for (const waiter of [...waiting]) {
        if (named === undefined || waiter.types === undefined || overlaps(waiter.types, named)) waiter.done();
      }
    },
  };
};

const overlaps = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => {
  for (const item of a) if (b.has(item)) return true;
  return false;
};
