/**
 * Runs the upload expiry and garbage collection sweeps in the background, each time at the moment
 * the state says something falls due next (the earliest upload deadline, the earliest blob whose
 * grace ends), and otherwise at least once per upload TTL and per grace period: what another
 * process recorded meanwhile is then seen before it falls due. Never more often than that.
 */
import { nextCollectionDue, nextUploadDeadline } from "@berth/core";
import { sweepGarbage } from "./garbage-collection-sweep.js";
import type { RegistryRuntime } from "./registry-runtime.js";
import { sweepExpiredUploads } from "./upload-expiry-sweep.js";

export interface BackgroundSweeps {
  /** Stops the timer and waits for a sweep under way to finish. */
  stop(): Promise<void>;
}

export interface BackgroundSweepOptions {
  /** Told about a sweep that failed (the store was down, say); the next one runs as planned. */
  readonly onError?: (error: unknown) => void;
  /** Told after each sweep that reclaimed something. */
  readonly onSweep?: (report: SweepReport) => void;
}

export interface SweepReport {
  readonly expiredUploads: number;
  readonly releasedUploads: number;
  readonly collectedBlobs: number;
  readonly collectedBytes: number;
}

/** A sweep never runs sooner than this after the last one, whatever falls due: timers are not exact. */
const MIN_DELAY_MS = 20;
/** setTimeout's limit: longer delays fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds until the next sweep should run, from the state as the last sweep left it. */
const delayUntilDue = (runtime: RegistryRuntime): number => {
  const state = runtime.handler.state;
  const now = runtime.now();
  const dues = [
    now + Math.min(runtime.uploadTtl, runtime.gcGrace),
    nextUploadDeadline(state),
    nextCollectionDue(state, runtime.gcGrace),
    state.releasableUploads.size > 0 ? now : undefined,
  ].filter((due): due is NonNullable<typeof due> => due !== undefined);
  return Math.min(Math.max(Math.min(...dues) - now, MIN_DELAY_MS), MAX_TIMER_MS);
};

export const startBackgroundSweeps = (
  runtime: RegistryRuntime,
  options: BackgroundSweepOptions = {},
): BackgroundSweeps => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const sweep = async () => {
    try {
      const uploads = await sweepExpiredUploads(runtime);
      const garbage = await sweepGarbage(runtime);
      const report = {
        expiredUploads: uploads.expired.length,
        releasedUploads: uploads.released.length,
        collectedBlobs: garbage.blobs.length,
        collectedBytes: garbage.bytes,
      };
      if (report.expiredUploads + report.releasedUploads + report.collectedBlobs > 0)
        options.onSweep?.(report);
    } catch (error) {
      options.onError?.(error);
    }
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().then(() => {
        running = undefined;
        schedule(delayUntilDue(runtime));
      });
    }, delay);
    // The sweeps never keep a process alive on their own.
    timer.unref();
  };

  schedule(0);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
