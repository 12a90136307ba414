/** How long uploads and unreferenced blobs live: flags of `berth serve` and `berth gc`. */
import { DEFAULT_GC_GRACE_MS, DEFAULT_UPLOAD_TTL_MS } from "@berth/core";
import { Option } from "commander";
import { durationFlag, formatDuration } from "./duration.js";

export const uploadTtlOption = () =>
  new Option("--upload-ttl <duration>", "how long an upload session stays open (e.g. 30s, 24h)")
    .env("BERTH_UPLOAD_TTL")
    .default(DEFAULT_UPLOAD_TTL_MS, formatDuration(DEFAULT_UPLOAD_TTL_MS))
    .argParser(durationFlag);

export const gcGraceOption = () =>
  new Option("--gc-grace <duration>", "how long a blob no image references stays before it is deleted")
    .env("BERTH_GC_GRACE")
    .default(DEFAULT_GC_GRACE_MS, formatDuration(DEFAULT_GC_GRACE_MS))
    .argParser(durationFlag);
