/**
 * Records pull times without slowing pulls down. A pull is answered from the state; the core then
 * says which of the pulled images have a pull due (at most one a day each, see the core's
 * pull-recording.ts), and only then is a RecordImagePulls command started, without the pull waiting
 * for it. The command decides again against fresh state, so racing pulls (here or in another
 * process) record an image once; a record that fails is retried by the next pull, which finds it
 * still due.
 */
import { type Digest, type PullRecording, pullsToRecord } from "@berth/core";
import type { CommandHandler } from "../command-handler.js";

export interface PullRecorder {
  /** Starts recording what is due among `pulls`; returns at once. */
  record(pulls: PullRecording): void;
  /** Resolves once every record started so far is written (or has failed). */
  settled(): Promise<void>;
}

export const createPullRecorder = (
  handler: CommandHandler,
  onError: (error: unknown) => void,
): PullRecorder => {
  // Images whose record is being written by this process: a burst of pulls starts one command.
  const inFlight = new Set<string>();
  const pending = new Set<Promise<void>>();
  const keyOf = (pulls: PullRecording, digest: Digest) =>
    `${pulls.registryId}/${pulls.repositoryName}@${digest}`;
  return {
    record: (pulls) => {
      const due = pullsToRecord(handler.state, pulls).filter((digest) => !inFlight.has(keyOf(pulls, digest)));
      if (due.length === 0) return;
      const keys = due.map((digest) => keyOf(pulls, digest));
      for (const key of keys) inFlight.add(key);
      const written: Promise<void> = handler
        .execute({ type: "RecordImagePulls", data: { ...pulls, imageDigests: due } })
        .then(
          () => undefined,
          (error: unknown) => onError(error),
        )
        .finally(() => {
          for (const key of keys) inFlight.delete(key);
          pending.delete(written);
        });
      pending.add(written);
    },
    settled: async () => {
      await Promise.all([...pending]);
    },
  };
};
