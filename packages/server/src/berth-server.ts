/**
 * One HTTP server for every front end: the ECR JSON API on `POST /`, signed layer downloads under
 * `/_berth/layers/`, and the OCI distribution API under `/v2/`. Routing only: each front end
 * translates onto the same registry.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { RegistryId } from "@berth/core";
import type { Registry } from "@berth/engine";
import type { Logger } from "pino";
import { createTokenIssuer } from "./auth/authorization-token.js";
import type { CredentialStore } from "./auth/credentials.js";
import { createDownloadRoute } from "./downloads/download-route.js";
import { createDownloadUrlSigner, DOWNLOAD_PATH_PREFIX } from "./downloads/signed-urls.js";
import { createEcrApi } from "./ecr/ecr-api.js";
import { answeringFailures, sendPlainFailure } from "./http/answer-failures.js";
import { createOciApi } from "./oci/oci-api.js";

export interface BerthServerOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  /** No credentials: local mode, any well-formed SigV4 request is accepted. */
  readonly credentials: CredentialStore;
  readonly defaultAccountId: RegistryId;
  /** Signs authorization tokens and download URLs; share it between processes of one registry. */
  readonly secret?: Uint8Array | string;
  /** How clients reach this server, for proxyEndpoint and download URLs (default from Host). */
  readonly publicUrl?: string;
  /** /v2 pushes to a repository that does not exist create it (otherwise NAME_UNKNOWN, as in ECR). */
  readonly createOnPush?: boolean;
  /** `aws`: GetAuthorizationToken's proxyEndpoint is ECR's `https://<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly repositoryUriStyle?: "host" | "aws";
}

export const createBerthServer = (options: BerthServerOptions): Server => {
  const { registry, logger } = options;
  const secret = options.secret ?? randomBytes(32);
  const tokens = createTokenIssuer(secret);
  const downloads = createDownloadUrlSigner(secret);
  const baseUrlOf = (request: IncomingMessage) =>
    options.publicUrl ?? `http://${request.headers.host ?? "localhost"}`;

  const download = createDownloadRoute(registry, downloads, logger);
  const ecr = createEcrApi({
    credentials: options.credentials,
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
    baseUrlOf,
    logger,
  });

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
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
  return createServer((request, response) => void handle(request, response));
};
