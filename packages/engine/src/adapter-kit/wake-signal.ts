/**
 * Wakes every waiting subscriber at once. A subscriber takes the current round before it looks for
 * events and then waits on that round, so a notify() that lands in between still wakes it. Waiters
 * that time out or abort are removed, so an idle subscriber polling for hours holds nothing.
 */
export interface WakeSignal {
  round(): number;
  /** Settles at the first notify() of a later round, after `timeoutMs`, or when `signal` aborts. */
  wait(
    round: number,
    options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<void>;
  notify(): void;
}

export const createWakeSignal = (): WakeSignal => {
  let current = 0;
  const waiting = new Set<() => void>();
  return {
    round: () => current,
    wait(round, { timeoutMs, signal } = {}) {
      if (round !== current || signal?.aborted === true) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          waiting.delete(done);
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
        signal?.addEventListener("abort", done);
        waiting.add(done);
      });
    },
    notify() {
      current += 1;
      for (const done of [...waiting]) done();
    },
  };
};
