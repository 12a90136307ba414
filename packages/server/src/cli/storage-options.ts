/** The flags that say where the registry's data lives, shared by `berth serve` and `berth lifecycle`. */
import { type Command, InvalidArgumentError, Option } from "commander";
import { STORAGE_KINDS, type StorageKind } from "./storage.js";

export interface StorageFlags {
  readonly registryId: string;
  readonly storage: StorageKind;
  readonly databaseUrl?: string;
  readonly databaseSchema?: string;
  readonly dataDir: string;
}

const accountId = (value: string) => {
  if (!/^[0-9]{12}$/.test(value)) throw new InvalidArgumentError("expected 12 digits");
  return value;
};

export const addStorageOptions = (command: Command): Command =>
  command
    .addOption(
      new Option("--registry-id <id>", "default registry (account) id")
        .env("BERTH_REGISTRY_ID")
        .default("000000000000")
        .argParser(accountId),
    )
    .addOption(
      new Option("--storage <kind>", "where data lives")
        .choices(STORAGE_KINDS)
        .env("BERTH_STORAGE")
        .default("embedded"),
    )
    .addOption(
      new Option("--database-url <url>", "PostgreSQL connection string for --storage postgres").env(
        "BERTH_DATABASE_URL",
      ),
    )
    .addOption(
      new Option("--database-schema <name>", "PostgreSQL schema for Berth's tables (default berth)").env(
        "BERTH_DATABASE_SCHEMA",
      ),
    )
    .addOption(
      new Option("--data-dir <path>", "directory of the embedded storage")
        .env("BERTH_DATA_DIR")
        .default(".berth-data"),
    );

/** The database URL from the flag, else DATABASE_URL. */
export const withDatabaseUrl = <O extends { readonly databaseUrl?: string }>(options: O): O => {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  return { ...options, ...(databaseUrl === undefined ? {} : { databaseUrl }) };
};
