/**
 * `berth gc [--dry-run]`: one sweep on demand, against the same storage `berth serve` uses. It
 * expires overdue uploads (dropping their bytes) and deletes the blobs no image has referenced for
 * `--gc-grace`, printing each blob and its size; with --dry-run it changes nothing and prints what
 * it would delete. On embedded storage the server must be stopped first (the data directory belongs
 * to one process); on PostgreSQL it may run beside any number of servers.
 */
import { createRegistry } from "@berth/engine";
import { Command } from "commander";
import { restoreOnly } from "./snapshot-options.js";
import { openStorage } from "./storage.js";
import {
  addStorageOptions,
  type StorageFlags,
  storageOptionsOf,
  withDatabaseUrl,
} from "./storage-options.js";
import { gcGraceOption } from "./time-limit-options.js";

export interface GcOptions extends Omit<StorageFlags, "registryId"> {
  readonly dryRun: boolean;
  readonly gcGrace: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const collectGarbage = async (options: GcOptions, print: (line: string) => void): Promise<void> => {
  const storage = await openStorage(storageOptionsOf(options));
  try {
    const registry = createRegistry({
      events: storage.events,
      blobs: storage.blobs,
      gcGrace: options.gcGrace,
      ...restoreOnly(storage),
    });
    if (!options.dryRun) {
      const uploads = await registry.expireUploads();
      for (const uploadId of uploads.expired) print(`expired upload ${uploadId}`);
      if (uploads.released.length > 0)
        print(`released the bytes of ${plural(uploads.released.length, "upload")}`);
    }
    const report = await registry.collectGarbage({ dryRun: options.dryRun });
    const verb = options.dryRun ? "would delete" : "deleted";
    for (const blob of report.blobs) print(`${verb} ${blob.digest} ${blob.size} bytes`);
    const outcome = options.dryRun ? "would be reclaimed" : "reclaimed";
    print(`${plural(report.blobs.length, "blob")}, ${report.bytes} bytes ${outcome}`);
  } finally {
    await storage.close();
  }
};

export const gcCommand = (): Command =>
  addStorageOptions(
    new Command("gc")
      .description("Delete the blobs no image has referenced for --gc-grace, and expired uploads' bytes.")
      .option("--dry-run", "only print what would be deleted", false)
      .addOption(gcGraceOption()),
  ).action(async (options: GcOptions) => {
    await collectGarbage(withDatabaseUrl(options), console.log);
  });
