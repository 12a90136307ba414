/**
 * Records pull times without slowing pulls down. A pull is answered from the state; the core then
 * says which of the pulled images have a pull due (at most one a day each, see the core's
 * pull-recording.ts), and those are gathered for a RecordImagePulls command, without the pull
 * waiting for it. The command decides again against fresh state, so racing pulls (here or in
 * another process) record an image once; a record that fails is retried by the next pull, which
 * finds it still due.
 *
 * Pulls are gathered for `delayMs` after the first one due (or until `PULL_RECORD_MAX_IMAGES`),
 * then written as one command per registry and puller, one write at a time: a burst of first pulls
 * across a thousand repositories costs a few appends, not one per pull, and the pulls answered
 * meanwhile do not share the process and the database with a write each. `settled()` writes what
 * is gathered at once (`berth serve` calls it before it stops).
 */
import type { Digest, PullRecording, RegistryId, RepositoryName, Timestamp } from "@berth/core";
import { pullsToRecord } from "@berth/core";
import type { CommandHandler } from "../command-handler.js";

export interface PullRecorder {
  /** Gathers what is due among `pulls`; returns at once. */
  record(pulls: PullRecording): void;
  /** Writes what is gathered; resolves once every record so far is written (or has failed). */
  settled(): Promise<void>;
}

/** How long pulls are gathered before their record is written. */
export const PULL_RECORD_DELAY_MS = 250;

/** Images one command records at most: a larger gathering is written at once. */
export const PULL_RECORD_MAX_IMAGES = 1_000;

interface Gathering {
  readonly registryId: RegistryId;
  readonly principalArn: string | undefined;
  pulledAt: Timestamp;
  readonly repositories: Map<RepositoryName, Set<Digest>>;
  images: number;
}

export const createPullRecorder = (
  handler: CommandHandler,
  onError: (error: unknown) => void,
  delayMs: number = PULL_RECORD_DELAY_MS,
): PullRecorder => {
  /** Images gathered or being written by this process: a burst of pulls records each once. */
  const known = new Set<string>();
  const gathering = new Map<string, Gathering>();
  const queue: Gathering[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** A drain is scheduled or under way. */
  let writing = false;
  let idle: Array<() => void> = [];
  const imageKey = (registryId: RegistryId, repositoryName: RepositoryName, digest: Digest) =>
    `${registryId}/${repositoryName}@${digest}`;

  const write = async ({ registryId, principalArn, pulledAt, repositories }: Gathering) => {
    const pulls = [...repositories].map(([repositoryName, digests]) => ({
      repositoryName,
      imageDigests: [...digests],
    }));
    try {
      await handler.execute({
        type: "RecordImagePulls",
        data: { registryId, pulls, pulledAt, ...(principalArn === undefined ? {} : { principalArn }) },
      });
    } catch (error) {
      onError(error);
    } finally {
      for (const { repositoryName, imageDigests } of pulls) {
        for (const digest of imageDigests) known.delete(imageKey(registryId, repositoryName, digest));
      }
    }
  };

  const drain = async () => {
    while (queue.length > 0) await write(queue.shift()!);
    writing = false;
    for (const resolve of idle) resolve();
    idle = [];
  };

  /** Closes every gathering; the writes start once the current task is over (a pull's answer). */
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    queue.push(...gathering.values());
    gathering.clear();
    if (writing) return; // the drain under way takes them
    writing = true;
    setImmediate(() => void drain());
  };

  return {
    record: (pulls) => {
      const due = pullsToRecord(handler.state, pulls).filter(
        (digest) => !known.has(imageKey(pulls.registryId, pulls.repositoryName, digest)),
      );
      if (due.length === 0) return;
      const key = `${pulls.registryId} ${pulls.principalArn ?? ""}`;
      let batch = gathering.get(key);
      if (batch === undefined) {
        const { registryId, principalArn, pulledAt } = pulls;
        batch = { registryId, principalArn, pulledAt, repositories: new Map(), images: 0 };
        gathering.set(key, batch);
      }
      // Gathered pulls are recorded at the latest pull's time.
      if (pulls.pulledAt > batch.pulledAt) batch.pulledAt = pulls.pulledAt;
      const digests = batch.repositories.get(pulls.repositoryName) ?? new Set<Digest>();
      batch.repositories.set(pulls.repositoryName, digests);
      for (const digest of due) {
        known.add(imageKey(pulls.registryId, pulls.repositoryName, digest));
        digests.add(digest);
      }
      batch.images += due.length;
      if (batch.images >= PULL_RECORD_MAX_IMAGES) flush();
      else if (timer === undefined) timer = setTimeout(flush, delayMs).unref();
    },
    settled: () => {
      if (gathering.size > 0) flush();
      return writing ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve();
    },
  };
};
