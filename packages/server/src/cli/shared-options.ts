/** Options that several `berth` commands take: where the data lives, and the time limits. */
import { DEFAULT_GC_GRACE_MS, DEFAULT_UPLOAD_TTL_MS } from "@berth/core";
import { InvalidArgumentError, Option } from "commander";
import { formatDuration, parseDuration } from "./duration.js";
import { STORAGE_KINDS } from "./storage.js";

const duration = (value: string) => {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidArgumentError(
      "expected a duration such as 30s, 15m, 24h or 1h30m (units ms, s, m, h, d)",
    );
  }
  return ms;
};

export const storageOptions = (): Option[] => [
  new Option("--storage <kind>", "where data lives")
    .choices(STORAGE_KINDS)
    .env("BERTH_STORAGE")
    .default("embedded"),
  new Option("--database-url <url>", "PostgreSQL connection string for --storage postgres").env(
    "BERTH_DATABASE_URL",
  ),
  new Option("--database-schema <name>", "PostgreSQL schema for Berth's tables (default berth)").env(
    "BERTH_DATABASE_SCHEMA",
  ),
  new Option("--data-dir <path>", "directory of the embedded storage")
    .env("BERTH_DATA_DIR")
    .default(".berth-data"),
];

export const uploadTtlOption = () =>
  new Option("--upload-ttl <duration>", "how long an upload session stays open (e.g. 30s, 24h)")
    .env("BERTH_UPLOAD_TTL")
    .default(DEFAULT_UPLOAD_TTL_MS, formatDuration(DEFAULT_UPLOAD_TTL_MS))
    .argParser(duration);

export const gcGraceOption = () =>
  new Option("--gc-grace <duration>", "how long a blob no image references stays before it is deleted")
    .env("BERTH_GC_GRACE")
    .default(DEFAULT_GC_GRACE_MS, formatDuration(DEFAULT_GC_GRACE_MS))
    .argParser(duration);
