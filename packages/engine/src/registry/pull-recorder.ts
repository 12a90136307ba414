/**
 * Records pull times without slowing pulls down. A pull is answered from the state; the core then
 * says which of the pulled images have a pull due (at most one a day each, see the core's
 * pull-recording.ts), and those are queued for a RecordImagePulls command, without the pull waiting
 * for it. The command decides again against fresh state, so racing pulls (here or in another
 * process) record an image once; a record that fails is retried by the next pull, which finds it
 * still due.
 *
 * At most `concurrency` records are written at once, one command per repository and puller for
 * everything queued for it meanwhile: a burst of first pulls of many images must not take every
 * database connection from the requests it follows.
 */
import { type Digest, type PullRecording, pullsToRecord } from "@berth/core";
import type { CommandHandler } from "../command-handler.js";

export interface PullRecorder {
  /** Queues what is due among `pulls`; returns at once. */
  record(pulls: PullRecording): void;
  /** Resolves once every record queued so far is written (or has failed). */
  settled(): Promise<void>;
}

/** Records written at once by one process (each holds a database connection while it appends). */
export const PULL_RECORDS_AT_ONCE = 2;

interface Batch {
  readonly pulls: PullRecording;
  readonly digests: Set<Digest>;
}

export const createPullRecorder = (
  handler: CommandHandler,
  onError: (error: unknown) => void,
  concurrency: number = PULL_RECORDS_AT_ONCE,
): PullRecorder => {
  /** Images queued or being written by this process: a burst of pulls records each once. */
  const known = new Set<string>();
  const queue = new Map<string, Batch>();
  let running = 0;
  let idle: Array<() => void> = [];
  const imageKey = (pulls: PullRecording, digest: Digest) =>
    `${pulls.registryId}/${pulls.repositoryName}@${digest}`;
  const batchKey = (pulls: PullRecording) =>
    `${pulls.registryId}/${pulls.repositoryName} ${pulls.principalArn ?? ""}`;

  const write = async ({ pulls, digests }: Batch) => {
    const imageDigests = [...digests];
    try {
      await handler.execute({ type: "RecordImagePulls", data: { ...pulls, imageDigests } });
    } catch (error) {
      onError(error);
    } finally {
      for (const digest of imageDigests) known.delete(imageKey(pulls, digest));
    }
  };

  const pump = () => {
    while (running < concurrency && queue.size > 0) {
      const [key, batch] = queue.entries().next().value as [string, Batch];
      queue.delete(key);
      running++;
      void write(batch).finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0 && queue.size === 0) {
      for (const resolve of idle) resolve();
      idle = [];
    }
  };

  return {
    record: (pulls) => {
      const due = pullsToRecord(handler.state, pulls).filter((digest) => !known.has(imageKey(pulls, digest)));
      if (due.length === 0) return;
      const key = batchKey(pulls);
      const batch = queue.get(key);
      // Queued pulls of one repository become one command, at the latest pull's time.
      const merged: Batch =
        batch === undefined
          ? { pulls, digests: new Set() }
          : { pulls: pulls.pulledAt >= batch.pulls.pulledAt ? pulls : batch.pulls, digests: batch.digests };
      for (const digest of due) {
        known.add(imageKey(pulls, digest));
        merged.digests.add(digest);
      }
      queue.set(key, merged);
      pump();
    },
    settled: () =>
      running === 0 && queue.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idle.push(resolve)),
  };
};
