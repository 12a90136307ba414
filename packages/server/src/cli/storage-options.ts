/** The flags that say where the registry's data lives, shared by `berth serve` and `berth lifecycle`. */
import { POOL_DEFAULTS } from "@berth/adapter-postgres/pool-defaults";
import { type Command, InvalidArgumentError, Option } from "commander";
import { addBlobOptions, type BlobFlags, blobOptionsOf } from "./blob-options.js";
import { durationFlag, wholeNumber } from "./duration.js";
import { STORAGE_KINDS, type StorageKind, type StorageOptions } from "./storage.js";

export interface StorageFlags extends BlobFlags {
  readonly registryId: string;
  readonly storage: StorageKind;
  readonly databaseUrl?: string;
  /** PostgreSQL schema for Berth's tables (default "berth"); lets tests and tenants share a database. */
  readonly databaseSchema?: string;
  /** PostgreSQL pool size (default 10). */
  readonly dbPoolSize?: number;
  /** How long a request waits for a free PostgreSQL connection before it is answered "busy" (ms, default 5000). */
  readonly dbAcquireTimeout?: number;
  readonly dataDir: string;
}

/** What `openStorage` needs of the flags. */
export const storageOptionsOf = (flags: Omit<StorageFlags, "registryId">): StorageOptions => ({
  kind: flags.storage,
  dataDir: flags.dataDir,
  ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
  ...(flags.databaseSchema === undefined ? {} : { databaseSchema: flags.databaseSchema }),
  ...(flags.dbPoolSize === undefined ? {} : { dbPoolSize: flags.dbPoolSize }),
  ...(flags.dbAcquireTimeout === undefined ? {} : { dbAcquireTimeoutMs: flags.dbAcquireTimeout }),
  ...blobOptionsOf(flags),
});

const accountId = (value: string) => {
  if (!/^[0-9]{12}$/.test(value)) throw new InvalidArgumentError("expected 12 digits");
  return value;
};

/** The storage flags, then the blob flags (blob-options.ts). */
export const addStorageOptions = (command: Command): Command => addBlobOptions(addDatabaseOptions(command));

const addDatabaseOptions = (command: Command): Command =>
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
      new Option("--db-pool-size <n>", "most PostgreSQL connections this process opens")
        .env("BERTH_DB_POOL_SIZE")
        .default(POOL_DEFAULTS.max)
        .argParser(wholeNumber(1)),
    )
    .addOption(
      new Option(
        "--db-acquire-timeout <duration>",
        "longest wait for a free PostgreSQL connection before answering 503 / ServerException",
      )
        .env("BERTH_DB_ACQUIRE_TIMEOUT")
        .default(POOL_DEFAULTS.connectionTimeoutMillis, "5s")
        .argParser(durationFlag),
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
