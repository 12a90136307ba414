/**
 * The OCI distribution API (`/v2/`), as docker and skopeo use it, translated onto the same registry
 * the ECR API serves: an upload session is InitiateLayerUpload / UploadLayerPart /
 * CompleteLayerUpload, a manifest PUT is PutImage, a manifest DELETE is BatchDeleteImage. Where the
 * protocols differ the core decides, told which rules apply (OCI chunks of any size, empty blobs).
 * This file authenticates and routes; one file per resource handles (see oci-routes.ts).
 */
import type { IncomingMessage } from "node:http";
import type { RegistryId } from "@berth/core";
import type { Registry } from "@berth/engine";
import type { Logger } from "pino";
import type { TokenIssuer } from "../auth/authorization-token.js";
import { answeringFailures } from "../http/answer-failures.js";
import type { InflightBudget } from "../http/inflight-budget.js";
import { authenticateBasic } from "./oci-auth.js";
import { ociError } from "./oci-errors.js";
import { parseOciPath } from "./oci-paths.js";
import { sendError, sendUnexpectedFailure } from "./oci-responses.js";
import { dispatchOci } from "./oci-routes.js";

export interface OciApiOptions {
  readonly registry: Registry;
  readonly tokens: TokenIssuer;
  /** Local mode: no credentials are configured and /v2 is open, acting for this registry. */
  readonly localAccountId: RegistryId | undefined;
  /** Pushing to a repository that does not exist creates it (otherwise NAME_UNKNOWN, as in ECR). */
  readonly createOnPush: boolean;
  /** Blob GETs answer 307 to the blob store's presigned URL, when it makes them (default false). */
  readonly blobRedirect?: boolean;
  readonly budget: InflightBudget;
  readonly baseUrlOf: (request: IncomingMessage) => string;
  readonly logger: Logger;
}

export const createOciApi = (options: OciApiOptions) => {
  const { registry, tokens, createOnPush, budget, logger } = options;
  return answeringFailures(logger, sendUnexpectedFailure, async (request, response, url: URL) => {
    const auth = authenticateBasic(request.headers, tokens, options.localAccountId, Date.now());
    if (!auth.ok) {
      const realm = `Basic realm="${options.baseUrlOf(request)}",service="ecr.amazonaws.com"`;
      const error = { ...ociError(401, "UNAUTHORIZED", auth.reason), headers: { "www-authenticate": realm } };
      // An unauthenticated body is not read: close rather than drain it.
      if (!request.complete) response.setHeader("connection", "close");
      return sendError(response, error, request);
    }
    const route = parseOciPath(url.pathname);
    if (route === undefined) {
      return sendError(response, ociError(404, "UNSUPPORTED", `No /v2 route for ${url.pathname}`), request);
    }
    const call = {
      request,
      response,
      url,
      registry,
      registryId: auth.registryId,
      createOnPush,
      blobRedirect: options.blobRedirect ?? false,
      budget,
      logger,
    };
    return dispatchOci(call, route);
  });
};
