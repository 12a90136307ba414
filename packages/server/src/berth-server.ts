/**
 * One HTTP server for every front end: the ECR JSON API on `POST /`, signed layer downloads under
 * `/_berth/layers/`, and the OCI distribution API under `/v2/`. Routing only: each front end
 * translates onto the same registry.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { isAwsRegion, type RegistryId } from "@berth/core";
import type { Registry } from "@berth/engine";
import type { Logger } from "pino";
import { createTokenIssuer } from "./auth/authorization-token.js";
import type { CredentialStore } from "./auth/credentials.js";
import { createDownloadRoute } from "./downloads/download-route.js";
import { createDownloadUrlSigner, DOWNLOAD_PATH_PREFIX } from "./downloads/signed-urls.js";
import { createEcrApi } from "./ecr/ecr-api.js";
import { answeringFailures, sendPlainFailure } from "./http/answer-failures.js";
import { createInflightBudget, DEFAULT_MAX_INFLIGHT_BYTES } from "./http/inflight-budget.js";
import { requestTarget } from "./http/request-target.js";
import { createOciApi } from "./oci/oci-api.js";

/** What the server holds for its clients at most, and how long it waits on them. */
export interface ServerLimits {
  /** Bytes of request bodies buffered at once across all requests; past it, refused at once. */
  readonly maxInflightBytes: number;
  /** Time a client has to send a request's headers (slow-header clients are cut). */
  readonly headerTimeoutMs: number;
  /** Time a connection may go without a byte either way while a request is open. No total limit: a
   * large upload may take as long as it takes, so long as it keeps moving. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxInflightBytes: DEFAULT_MAX_INFLIGHT_BYTES,
  headerTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
};

export interface BerthServerOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  /** No credentials: local mode, any well-formed SigV4 request is accepted. */
  readonly credentials: CredentialStore;
  readonly defaultAccountId: RegistryId;
  /** Defaults: DEFAULT_SERVER_LIMITS. */
  readonly limits?: Partial<ServerLimits>;
  /** Signs authorization tokens and download URLs; share it between processes of one registry. */
  readonly secret?: Uint8Array | string;
  /** How clients reach this server, for proxyEndpoint and download URLs (default from Host). */
  readonly publicUrl?: string;
  /**
   * An implicit ROOT CREATE_ON_PUSH template with defaults: /v2 pushes to a missing repository no
   * creation template covers create it (otherwise NAME_UNKNOWN, as in ECR). Never recorded.
   */
  readonly createOnPush?: boolean;
  /** `aws`: GetAuthorizationToken's proxyEndpoint is ECR's `https://<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly repositoryUriStyle?: "host" | "aws";
  /** /v2 blob GETs answer 307 to the blob store's presigned URL, when it makes them (S3). */
  readonly blobRedirect?: boolean;
}

export const createBerthServer = (options: BerthServerOptions): Server => {
  const { registry, logger } = options;
  const secret = options.secret ?? randomBytes(32);
  const tokens = createTokenIssuer(secret);
  const downloads = createDownloadUrlSigner(secret);
  const baseUrlOf = (request: IncomingMessage) =>
    options.publicUrl ?? `http://${request.headers.host ?? "localhost"}`;

  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const budget = createInflightBudget(limits.maxInflightBytes);

  const download = createDownloadRoute(registry, downloads, logger);
  const ecr = createEcrApi({
    credentials: options.credentials,
    signingScope: { service: "ecr", servesRegion: isAwsRegion },
    budget,
    defaultAccountId: options.defaultAccountId,
    logger,
    context: {
      registry,
      tokens,
      downloads,
      now: Date.now,
      repositoryUriStyle: options.repositoryUriStyle ?? "host",
    },
    baseUrlOf,
  });

  const oci = createOciApi({
    registry,
    tokens,
    localAccountId: options.credentials.size === 0 ? options.defaultAccountId : undefined,
    createOnPush: options.createOnPush ?? false,
    blobRedirect: options.blobRedirect ?? false,
    budget,
    baseUrlOf,
    logger,
  });

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = requestTarget(request);
    if (url === undefined) {
      response.writeHead(400, { "content-type": "text/plain" });
      response.end("Bad request: the request target must be a path, such as /v2/.\n");
      return;
    }
    if (request.method === "POST" && url.pathname === "/") return ecr(request, response);
    if (url.pathname === "/v2" || url.pathname.startsWith("/v2/")) return oci(request, response, url);
    if (
      (request.method === "GET" || request.method === "HEAD") &&
      url.pathname.startsWith(DOWNLOAD_PATH_PREFIX)
    ) {
      return download(request, response, url);
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end(
      "Not found. The ECR API answers POST / (X-Amz-Target); the OCI distribution API lives under /v2/.\n",
    );
  };

  // Each front end answers its own failures; this catches only what routing itself might throw.
  const handle = answeringFailures(logger, sendPlainFailure, route);
  const server = createServer(
    {
      // No limit on a request's total time (a large upload takes what it takes): idle time counts.
      requestTimeout: 0,
      headersTimeout: limits.headerTimeoutMs,
      // How often Node looks for connections past headersTimeout (its default is 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headerTimeoutMs / 4)),
    },
    (request, response) => {
      // Node re-arms a kept-alive socket with keepAliveTimeout and then clears it when the next
      // request begins: arm the idle timeout for every request. A socket idle past it is destroyed.
      request.socket.setTimeout(limits.idleTimeoutMs);
      void handle(request, response);
    },
  );
  // Before the first request, too: a connection that sends nothing is dropped.
  server.timeout = limits.idleTimeoutMs;
  // CONNECT (a proxy's method) is no request node routes: without this it drops the connection unanswered.
  server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    socket.end("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  });
  return server;
};
