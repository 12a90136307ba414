#!/usr/bin/env -S node --initial-old-space-size=64
/**
 * `berth serve`: the registry as a local ECR. Every flag can also be set through an environment
 * variable (shown in --help); flags win over variables.
 */
import { once } from "node:events";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ecrRegistryHost, type RegistryId } from "@berth/core";
import {
  createFindingsFileScanner,
  createRegistry,
  noFindingsScanner,
  type Registry,
  startLifecycleSchedule,
} from "@berth/engine";
import { Command, InvalidArgumentError, Option } from "commander";
import { type Logger, pino } from "pino";
import { type CredentialStore, parseCredentials } from "../auth/credentials.js";
import { createBerthServer, DEFAULT_SERVER_LIMITS } from "../berth-server.js";
import { durationFlag, formatDuration, wholeNumber } from "./duration.js";
import { gcCommand } from "./gc-command.js";
import { compactHeap, SERVE_COMPACTION_THRESHOLD } from "./heap-compaction.js";
import { lifecycleCommand } from "./lifecycle-command.js";
import { migrateDataCommand } from "./migrate-data-command.js";
import {
  type PullThroughFlags,
  pullThroughRefreshOption,
  pullThroughRegistryOptions,
  upstreamCredentialsOption,
} from "./pull-through-options.js";
import {
  type SnapshotFlags,
  snapshotEveryOption,
  snapshotIntervalOption,
  snapshotsOf,
} from "./snapshot-options.js";
import { openStorage } from "./storage.js";
import {
  addStorageOptions,
  type StorageFlags,
  storageOptionsOf,
  withDatabaseUrl,
} from "./storage-options.js";
import { gcGraceOption, uploadTtlOption } from "./time-limit-options.js";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port 0-65535");
  return n;
};

/** ECR applies lifecycle policies about once a day. */
export const DEFAULT_LIFECYCLE_INTERVAL_MS = 86_400_000;

export interface ServeOptions extends StorageFlags, SnapshotFlags, PullThroughFlags {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly credentials?: string;
  readonly logLevel: string;
  readonly lenient: boolean;
  readonly createOnPush?: boolean;
  readonly publicUrl?: string;
  readonly secret?: string;
  /** How often lifecycle policies are applied, in milliseconds (default 24 h). */
  readonly lifecycleInterval?: number;
  /** A JSON file of findings keyed by image digest: what every scan finds (default: nothing). */
  readonly scanFindings?: string;
  /** Bytes of request bodies buffered at once (default 512 MiB). */
  readonly maxInflightBytes?: number;
  /** Milliseconds a client has to send a request's headers (default 30 s). */
  readonly headerTimeout?: number;
  /** Milliseconds a connection may stay silent while a request is open (default 60 s). */
  readonly idleTimeout?: number;
  /** `host` (default): repository URIs name this server; `aws`: ECR's `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly repositoryUriStyle?: RepositoryUriStyle;
  /** Upload sessions' lifetime and garbage collection's grace period, in milliseconds. */
  readonly uploadTtl?: number;
  readonly gcGrace?: number;
  /** /v2 blob GETs answer 307 to a presigned S3 URL (with --blobs s3://…). */
  readonly blobRedirect?: boolean;
}

export const REPOSITORY_URI_STYLES = ["host", "aws"] as const;
export type RepositoryUriStyle = (typeof REPOSITORY_URI_STYLES)[number];

/**
 * What a server does besides answering: lifecycle policies on their schedule, scans, upload expiry
 * and garbage collection, all driven from the event log. `stop` waits for each to finish.
 */
const startBackgroundWork = (registry: Registry, options: ServeOptions, logger: Logger) => {
  const lifecycle = startLifecycleSchedule(registry, {
    intervalMs: options.lifecycleInterval ?? DEFAULT_LIFECYCLE_INTERVAL_MS,
    onApplied: (expired) =>
      logger.info(
        { expired: expired.map(({ registryId: _, ...image }) => image) },
        "lifecycle policies expired images",
      ),
    onError: (error) =>
      logger.error({ err: error }, "applying lifecycle policies failed; retrying on schedule"),
  });
  // Scans and replications started by pushes run in the background until shutdown.
  const scanning = new AbortController();
  const scanWorker = registry.runWorkers({
    signal: scanning.signal,
    onError: (error) => logger.error({ err: error }, "scan or replication worker: storage failed, retrying"),
  });
  const sweeps = registry.startBackgroundSweeps({
    onSweep: (report) => logger.info(report, "expired uploads and collected garbage"),
    onError: (error) =>
      logger.error({ err: error }, "a background sweep failed; the next one runs as planned"),
  });
  return {
    stop: async () => {
      await lifecycle.stop();
      scanning.abort();
      await scanWorker;
      await registry.pullsRecorded();
      await sweeps.stop();
      await registry.stopSnapshots();
    },
  };
};

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
  const storage = await openStorage(storageOptionsOf(options));
  // The port is known only once bound (--port 0 picks a free one): repository URIs read it lazily.
  let boundPort = options.port;
  const publicUrl = () =>
    options.publicUrl ?? `http://${options.host === "127.0.0.1" ? "localhost" : options.host}:${boundPort}`;
  const registry = createRegistry({
    events: storage.events,
    blobs: storage.blobs,
    defaultRegistryId: defaultAccountId,
    context: {
      region: options.region,
      registryHost:
        options.repositoryUriStyle === "aws"
          ? ecrRegistryHost(options.region)
          : () => new URL(publicUrl()).host,
    },
    scanner:
      options.scanFindings === undefined
        ? noFindingsScanner
        : createFindingsFileScanner(options.scanFindings),
    onPullRecordError: (error) =>
      logger.warn({ err: error }, "recording a pull time failed; the next pull of the image retries"),
    ...(options.uploadTtl === undefined ? {} : { uploadTtl: options.uploadTtl }),
    ...(options.gcGrace === undefined ? {} : { gcGrace: options.gcGrace }),
    ...snapshotsOf(storage, options, logger),
    ...pullThroughRegistryOptions(options),
  });
  // Lenient mode is a registry setting recorded in the log (it changes what the core accepts).
  const accounts = new Set([defaultAccountId, ...[...credentials.values()].map((key) => key.accountId)]);
  for (const registryId of accounts)
    await registry.putRegistrySettings({ registryId, lenient: options.lenient });
  const compaction = compactHeap(SERVE_COMPACTION_THRESHOLD); // the fold's garbage fragments old space
  const server = createBerthServer({
    registry,
    logger,
    credentials,
    defaultAccountId,
    limits: {
      ...(options.maxInflightBytes === undefined ? {} : { maxInflightBytes: options.maxInflightBytes }),
      ...(options.headerTimeout === undefined ? {} : { headerTimeoutMs: options.headerTimeout }),
      ...(options.idleTimeout === undefined ? {} : { idleTimeoutMs: options.idleTimeout }),
    },
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    createOnPush: options.createOnPush ?? false,
    repositoryUriStyle: options.repositoryUriStyle ?? "host",
    blobRedirect: options.blobRedirect ?? false,
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
      heapCompactedInMs: compaction?.ms,
    },
    "berth is listening",
  );
  const background = startBackgroundWork(registry, options, logger);
  let stopping: Promise<void> | undefined;
  /** Graceful shutdown: stop accepting, finish requests in flight, close the storage. */
  const stop = (reason = "stop()") => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down: finishing requests in flight");
      server.close();
      server.closeIdleConnections();
      await once(server, "close");
      await background.stop();
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

addStorageOptions(
  program
    .command("serve", { isDefault: true })
    .description("Serve the ECR API and the OCI distribution (/v2) API that docker and skopeo use.")
    .addOption(new Option("--host <address>", "address to listen on").env("BERTH_HOST").default("127.0.0.1"))
    .addOption(
      new Option("--port <port>", "port to listen on").env("BERTH_PORT").default(5000).argParser(port),
    )
    .addOption(new Option("--region <region>", "default region").env("BERTH_REGION").default("us-east-1"))
    .addOption(
      new Option(
        "--credentials <list>",
        "access keys, comma-separated AKID:SECRET[:ACCOUNT[:PRINCIPAL_ARN]]; none = local mode",
      ).env("BERTH_CREDENTIALS"),
    ),
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
    new Option(
      "--create-on-push",
      "docker/skopeo pushes create missing repositories (an implicit ROOT CREATE_ON_PUSH creation template)",
    )
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
      "--repository-uri-style <style>",
      "repository URIs and proxyEndpoint: this server, or ECR's hosts",
    )
      .choices(REPOSITORY_URI_STYLES)
      .env("BERTH_REPOSITORY_URI_STYLE")
      .default("host"),
  )
  .addOption(
    new Option(
      "--secret <secret>",
      "key that signs login tokens and download URLs (default: random per start)",
    ).env("BERTH_SECRET"),
  )
  .addOption(
    new Option("--lifecycle-interval <duration>", "how often lifecycle policies are applied (e.g. 30s, 24h)")
      .env("BERTH_LIFECYCLE_INTERVAL")
      .default(DEFAULT_LIFECYCLE_INTERVAL_MS, "24h")
      .argParser(durationFlag),
  )
  .addOption(
    new Option(
      "--scan-findings <file>",
      "JSON file of scan findings keyed by image digest (default: scans find nothing)",
    ).env("BERTH_SCAN_FINDINGS"),
  )
  .addOption(
    new Option(
      "--max-inflight-bytes <bytes>",
      "request body bytes held in memory at once; past it, retry later",
    )
      .env("BERTH_MAX_INFLIGHT_BYTES")
      .default(DEFAULT_SERVER_LIMITS.maxInflightBytes)
      .argParser(wholeNumber(1)),
  )
  .addOption(
    new Option("--header-timeout <duration>", "time a client has to send a request's headers")
      .env("BERTH_HEADER_TIMEOUT")
      .default(DEFAULT_SERVER_LIMITS.headerTimeoutMs, "30s")
      .argParser(durationFlag),
  )
  .addOption(
    new Option("--idle-timeout <duration>", "time a connection may go without a byte during a request")
      .env("BERTH_IDLE_TIMEOUT")
      .default(DEFAULT_SERVER_LIMITS.idleTimeoutMs, "60s")
      .argParser(durationFlag),
  )
  .addOption(
    new Option("--blob-redirect", "/v2 blob GETs answer 307 to a presigned S3 URL (with --blobs s3://…)")
      .env("BERTH_BLOB_REDIRECT")
      .default(false),
  )
  .addOption(uploadTtlOption())
  .addOption(gcGraceOption())
  .addOption(snapshotEveryOption())
  .addOption(snapshotIntervalOption())
  .addOption(pullThroughRefreshOption())
  .addOption(upstreamCredentialsOption())
  .action(async (options: ServeOptions) => {
    const running = await serve(withDatabaseUrl(options));
    process.once("SIGINT", () => void running.stop("SIGINT"));
    process.once("SIGTERM", () => void running.stop("SIGTERM"));
  });

program.addCommand(lifecycleCommand());
program.addCommand(gcCommand());
program.addCommand(migrateDataCommand());

const isMain =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  program.parseAsync().catch((error: unknown) => {
    console.error(`berth: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
