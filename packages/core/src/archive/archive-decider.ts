/** The archive slice: pull times (recorded at most once a day) and the archive storage class. */
import type { Slice } from "../kernel/slice.js";
import type { ArchiveCommand } from "./archive-commands.js";
import type { ArchiveEvent } from "./archive-events.js";
import { decideRecordImagePulls, decideUpdateImageStorageClass } from "./decide-archive.js";
import { evolveArchive } from "./evolve-archive.js";

export const archiveDecider: Slice<ArchiveCommand, ArchiveEvent> = {
  decide: {
    UpdateImageStorageClass: decideUpdateImageStorageClass,
    RecordImagePulls: decideRecordImagePulls,
  },
  evolve: evolveArchive,
};
