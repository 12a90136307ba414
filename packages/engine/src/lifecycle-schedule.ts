/**
 * Applies lifecycle policies on a schedule. What is due is read from the state (when each policy
 * was last applied), not remembered here, so a restart neither skips nor repeats an application;
 * several processes may run schedules on one store, since an application twice expires nothing more.
 */
import type { ExpiredImage, LifecycleOperations } from "./registry/lifecycle-operations.js";

export interface LifecycleScheduleOptions {
  /** How often each repository's policy is applied (ECR: about once every 24 hours). */
  readonly intervalMs: number;
  /** Called with what each round expired (for logs). */
  readonly onApplied?: (expired: ReadonlyArray<ExpiredImage>) => void;
  /** Called when a round fails (the store is unreachable); the schedule goes on. */
  readonly onError?: (error: unknown) => void;
}

export interface LifecycleSchedule {
  /** Stops the schedule; resolves once a round in progress has finished. */
  stop(): Promise<void>;
}

/** Due policies are looked for at least once a minute, and as often as the interval when it is shorter. */
const MAX_CHECK_MS = 60_000;

export const startLifecycleSchedule = (
  registry: Pick<LifecycleOperations, "applyDueLifecyclePolicies">,
  options: LifecycleScheduleOptions,
): LifecycleSchedule => {
  const checkEvery = Math.max(1, Math.min(options.intervalMs, MAX_CHECK_MS));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = (async () => {
      try {
        const { expired } = await registry.applyDueLifecyclePolicies(options.intervalMs);
        if (expired.length > 0) options.onApplied?.(expired);
      } catch (error) {
        options.onError?.(error);
      }
      if (!stopped) timer = setTimeout(tick, checkEvery).unref();
    })();
  };
  timer = setTimeout(tick, 0).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
};
