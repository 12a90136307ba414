/** `berth migrate-data`: the command line of migrate-data.ts, which is loaded only when it runs. */
import { Command, Option } from "commander";

export const migrateDataCommand = (): Command =>
  new Command("migrate-data")
    .description("Copy an older embedded data directory's events (PGlite, pgdata/) into berth.sqlite.")
    .addOption(
      new Option("--data-dir <path>", "directory of the embedded storage")
        .env("BERTH_DATA_DIR")
        .default(".berth-data"),
    )
    .action(async (options: { readonly dataDir: string }) => {
      const { migrateData } = await import("./migrate-data.js");
      await migrateData(options, console.log);
    });
