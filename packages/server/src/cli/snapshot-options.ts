/** Snapshots of the folded state (`berth serve`'s flags): how often they are written, and their log lines. */
import {
  DEFAULT_SNAPSHOT_EVERY_EVENTS,
  DEFAULT_SNAPSHOT_EVERY_MS,
  type SnapshotOptions,
  type SnapshotReport,
} from "@berth/engine";
import { Option } from "commander";
import type { Logger } from "pino";
import { durationFlag, formatDuration, wholeNumber } from "./duration.js";
import type { Storage } from "./storage.js";

export interface SnapshotFlags {
  /** Events folded between two snapshots (0: no snapshots, the log is folded from the start). */
  readonly snapshotEvery?: number;
  /** Longest time between two snapshots while events arrive (milliseconds). */
  readonly snapshotInterval?: number;
}

export const snapshotEveryOption = () =>
  new Option("--snapshot-every <events>", "events folded between two state snapshots; 0 = no snapshots")
    .env("BERTH_SNAPSHOT_EVERY")
    .default(DEFAULT_SNAPSHOT_EVERY_EVENTS)
    .argParser(wholeNumber(0));

export const snapshotIntervalOption = () =>
  new Option("--snapshot-interval <duration>", "longest time between two state snapshots while events arrive")
    .env("BERTH_SNAPSHOT_INTERVAL")
    .default(DEFAULT_SNAPSHOT_EVERY_MS, formatDuration(DEFAULT_SNAPSHOT_EVERY_MS))
    .argParser(durationFlag);

const logReport = (logger: Logger) => (report: SnapshotReport) => {
  switch (report.type) {
    case "restored":
      return logger.info({ ...report, position: String(report.position) }, "restored the state snapshot");
    case "saved":
      return logger.debug({ ...report, position: String(report.position) }, "saved a state snapshot");
    case "refused":
      return logger.warn({ reason: report.reason }, "ignoring the state snapshot: folding the whole log");
    case "failed":
      return logger.error(
        { err: report.error },
        "a state snapshot failed; the log is the truth, nothing is lost",
      );
  }
};

/** The registry's `snapshots` option, when the storage keeps snapshots and they are on. */
export const snapshotsOf = (
  storage: Storage,
  flags: SnapshotFlags,
  logger: Logger,
): { snapshots?: SnapshotOptions } =>
  storage.snapshots === undefined || flags.snapshotEvery === 0
    ? {}
    : {
        snapshots: {
          store: storage.snapshots,
          ...(flags.snapshotEvery === undefined ? {} : { everyEvents: flags.snapshotEvery }),
          ...(flags.snapshotInterval === undefined ? {} : { everyMs: flags.snapshotInterval }),
          onReport: logReport(logger),
        },
      };

/** For one-off commands (`berth gc`, `berth lifecycle`): start from the snapshot, write none. */
export const restoreOnly = (storage: Storage): { snapshots?: SnapshotOptions } =>
  storage.snapshots === undefined ? {} : { snapshots: { store: storage.snapshots, everyEvents: 0 } };
