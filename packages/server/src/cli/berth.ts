#!/usr/bin/env node
/**
 * `berth serve`: the registry as a local ECR. Every flag can also be set through an environment
 * variable (shown in --help); flags win over variables.
 */
import { once } from "node:events";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RegistryId } from "@berth/core";
import { createRegistry } from "@berth/engine";
import { Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import { type CredentialStore, parseCredentials } from "../auth/credentials.js";
import { createBerthServer } from "../berth-server.js";
import { formatDuration } from "./duration.js";
import { collectGarbage, type GcOptions } from "./gc-command.js";
import { gcGraceOption, storageOptions, uploadTtlOption } from "./shared-options.js";
import { openStorage, type StorageKind } from "./storage.js";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port 0-65535");
  return n;
};
const accountId = (value: string) => {
  if (!/^[0-9]{12}$/.test(value)) throw new InvalidArgumentError("expected 12 digits");
  return value;
};

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly registryId: string;
  readonly credentials?: string;
  readonly storage: StorageKind;
  readonly databaseUrl?: string;
  /** PostgreSQL schema for Berth's tables (default "berth"); lets tests and tenants share a database. */
  readonly databaseSchema?: string;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly lenient: boolean;
  readonly createOnPush?: boolean;
  readonly publicUrl?: string;
  readonly secret?: string;
  /** Upload sessions' lifetime and garbage collection's grace period, in milliseconds. */
  readonly uploadTtl?: number;
  readonly gcGrace?: number;
}

export const serve = async (options: ServeOptions) => {
  // Asynchronous writes: a synchronous write per request cost ~7% of a PutImage (docs/BENCHMARKS.md).
  const logger = pino(
    { level: options.logLevel, base: { service: "berth" } },
    pino.destination({ sync: false }),
  );
  const defaultAccountId = options.registryId as RegistryId;
  const credentials: CredentialStore = parseCredentials(options.credentials ?? "", defaultAccountId);
  if (credentials.size === 0 && !LOOPBACK.test(options.host)) {
    throw new Error(
      `Refusing to listen on ${options.host} without credentials: set --credentials (or BERTH_CREDENTIALS), or listen on 127.0.0.1`,
    );
  }
  const storage = await openStorage({
    kind: options.storage,
    dataDir: options.dataDir,
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    ...(options.databaseSchema === undefined ? {} : { databaseSchema: options.databaseSchema }),
  });
  // The port is known only once bound (--port 0 picks a free one): repository URIs read it lazily.
  let boundPort = options.port;
  const publicUrl = () =>
    options.publicUrl ?? `http://${options.host === "127.0.0.1" ? "localhost" : options.host}:${boundPort}`;
  const registry = createRegistry({
    events: storage.events,
    blobs: storage.blobs,
    defaultRegistryId: defaultAccountId,
    context: { region: options.region, registryHost: () => new URL(publicUrl()).host },
    ...(options.uploadTtl === undefined ? {} : { uploadTtl: options.uploadTtl }),
    ...(options.gcGrace === undefined ? {} : { gcGrace: options.gcGrace }),
  });
  // Lenient mode is a registry setting recorded in the log (it changes what the core accepts).
  const accounts = new Set([defaultAccountId, ...[...credentials.values()].map((key) => key.accountId)]);
  for (const registryId of accounts)
    await registry.putRegistrySettings({ registryId, lenient: options.lenient });
  const server = createBerthServer({
    registry,
    logger,
    credentials,
    defaultAccountId,
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    createOnPush: options.createOnPush ?? false,
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const address = server.address();
  boundPort = typeof address === "object" && address !== null ? address.port : options.port;
  logger.info(
    {
      url: `http://${options.host}:${boundPort}`,
      storage: storage.description,
      region: options.region,
      registryId: defaultAccountId,
      auth:
        credentials.size === 0
          ? "local mode: any well-formed SigV4 request is accepted"
          : `${credentials.size} access key(s)`,
      lenient: options.lenient,
      uploadTtl: formatDuration(registry.uploadTtl),
      gcGrace: formatDuration(registry.gcGrace),
    },
    "berth is listening",
  );
  const sweeps = registry.startBackgroundSweeps({
    onSweep: (report) => logger.info(report, "expired uploads and collected garbage"),
    onError: (error) =>
      logger.error({ err: error }, "a background sweep failed; the next one runs as planned"),
  });

  let stopping: Promise<void> | undefined;
  /** Graceful shutdown: stop accepting, finish requests in flight, close the storage. */
  const stop = (reason = "stop()") => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down: finishing requests in flight");
      server.close();
      server.closeIdleConnections();
      await once(server, "close");
      await sweeps.stop();
      await storage.close();
      logger.info("stopped");
      logger.flush();
    })();
    return stopping;
  };
  return { server, port: boundPort, stop };
};

export const program = new Command()
  .name("berth")
  .description("A container registry that speaks the Amazon ECR API.")
  .showHelpAfterError();

const serveCommand = program
  .command("serve", { isDefault: true })
  .description("Serve the ECR API and the OCI distribution (/v2) API that docker and skopeo use.")
  .addOption(new Option("--host <address>", "address to listen on").env("BERTH_HOST").default("127.0.0.1"))
  .addOption(new Option("--port <port>", "port to listen on").env("BERTH_PORT").default(5000).argParser(port))
  .addOption(new Option("--region <region>", "region in ARNs").env("BERTH_REGION").default("us-east-1"))
  .addOption(
    new Option("--registry-id <id>", "default registry (account) id")
      .env("BERTH_REGISTRY_ID")
      .default("000000000000")
      .argParser(accountId),
  )
  .addOption(
    new Option(
      "--credentials <list>",
      "access keys, comma-separated AKID:SECRET[:ACCOUNT]; none = local mode",
    ).env("BERTH_CREDENTIALS"),
  )
  .addOption(
    new Option("--log-level <level>", "log level")
      .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .env("BERTH_LOG_LEVEL")
      .default("info"),
  )
  .addOption(
    new Option("--lenient", "accept what moto accepts (missing layers, small parts)")
      .env("BERTH_LENIENT")
      .default(false),
  )
  .addOption(
    new Option("--create-on-push", "docker/skopeo pushes create missing repositories")
      .env("BERTH_CREATE_ON_PUSH")
      .default(false),
  )
  .addOption(
    new Option("--public-url <url>", "how clients reach this server (default http://<host>:<port>)").env(
      "BERTH_PUBLIC_URL",
    ),
  )
  .addOption(
    new Option(
      "--secret <secret>",
      "key that signs login tokens and download URLs (default: random per start)",
    ).env("BERTH_SECRET"),
  )
  .addOption(uploadTtlOption())
  .addOption(gcGraceOption())
  .action(async (options: ServeOptions) => {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    const running = await serve({ ...options, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
    process.once("SIGINT", () => void running.stop("SIGINT"));
    process.once("SIGTERM", () => void running.stop("SIGTERM"));
  });

for (const option of storageOptions()) serveCommand.addOption(option);

const gcCommand = program
  .command("gc")
  .description("Delete the blobs no image has referenced for --gc-grace, and expired uploads' bytes.")
  .option("--dry-run", "only print what would be deleted", false)
  .addOption(gcGraceOption())
  .action(async (options: GcOptions) => {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    await collectGarbage({ ...options, ...(databaseUrl === undefined ? {} : { databaseUrl }) }, console.log);
  });
for (const option of storageOptions()) gcCommand.addOption(option);

const isMain =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  program.parseAsync().catch((error: unknown) => {
    console.error(`berth: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
