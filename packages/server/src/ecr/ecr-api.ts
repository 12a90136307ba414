/**
 * The ECR JSON 1.1 endpoint: `POST /` with `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>`.
 * Authenticate (SigV4), parse, decode with the operation's codec, run, answer in ECR's shapes.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  decodeRequest,
  isEcrOperation,
  LAYER_PART_MAX_BYTES,
  type RegistryError,
  RegistryErrors,
  type RegistryId,
  registryKey,
} from "@berth/core";
import { StorageBusyError } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import type { Logger } from "pino";
import type { SigningScope } from "../auth/authorization-header.js";
import type { CredentialStore } from "../auth/credentials.js";
import { answeringFailures, retryAfter } from "../http/answer-failures.js";
import { createBodyBuffers } from "../http/body-buffers.js";
import type { InflightBudget } from "../http/inflight-budget.js";
import { readAuthenticatedBody } from "./authenticated-body.js";
import {
  type EcrErrorResponse,
  protocolError,
  registryErrorResponse,
  serverException,
} from "./ecr-errors.js";
import { type CallContext, ecrOperations } from "./operations.js";
import { membersOf, parseRequestBody } from "./parse-request-body.js";
import { registryOnWire } from "./registry-on-wire.js";
import { unstorableMember } from "./unstorable-member.js";
import { ECR_CONTENT_TYPE, ECR_TARGET_PREFIX } from "./wire.js";

/** The largest legal request: a 20 MiB part as base64 (4/3 larger) plus the rest of the JSON. */
export const MAX_ECR_REQUEST_BYTES = Math.ceil(LAYER_PART_MAX_BYTES / 3) * 4 + 64 * 1024;

/**
 * The registry a request names other than the caller's own, if any. Berth does not evaluate
 * cross-account policies, so with credentials configured an access key acts for its account only.
 */
const foreignRegistry = (request: object, accountId: RegistryId): string | undefined => {
  const named = request as { registryId?: string; registryIds?: ReadonlyArray<string>; resourceArn?: string };
  const candidates = [
    named.registryId,
    ...(named.registryIds ?? []),
    named.resourceArn === undefined
      ? undefined
      : /^arn:[^:]*:ecr:[^:]*:([0-9]{12}):/.exec(named.resourceArn)?.[1],
  ];
  return candidates.find((id) => id !== undefined && id !== accountId);
};

export interface EcrApiOptions {
  readonly credentials: CredentialStore;
  /** The service and regions a request's credential scope must name. */
  readonly signingScope: SigningScope;
  /** Shared with the other front ends: the bytes of request bodies held at once. */
  readonly budget: InflightBudget;
  readonly defaultAccountId: RegistryId;
  readonly context: Omit<CallContext, "registryId" | "baseUrl">;
  /** How the client reached this server (for proxyEndpoint and download URLs). */
  readonly baseUrlOf: (request: IncomingMessage) => string;
  readonly logger: Logger;
}

const send = (
  response: ServerResponse,
  requestId: string,
  status: number,
  body: unknown,
  errorType?: string,
) => {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": ECR_CONTENT_TYPE,
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": requestId,
    date: new Date().toUTCString(),
    ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType }),
  });
  response.end(payload);
};

const sendError = (response: ServerResponse, requestId: string, error: EcrErrorResponse) =>
  send(response, requestId, error.status, error.body, error.name);

/** The answer to an unexpected failure: ServerException, the one ECR error with status 500. */
const sendServerException = (_request: IncomingMessage, response: ServerResponse, error: unknown) => {
  if (error instanceof StorageBusyError) response.setHeader("retry-after", retryAfter(error)["retry-after"]);
  sendError(response, randomUUID(), serverException(error));
};

export const createEcrApi = (options: EcrApiOptions) => {
  const { logger } = options;
  const buffers = createBodyBuffers();
  return answeringFailures(logger, sendServerException, async (request, response) => {
    const requestId = randomUUID();
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(ECR_TARGET_PREFIX)
      ? target.slice(ECR_TARGET_PREFIX.length)
      : undefined;
    const log = logger.child({ requestId, operation: operation ?? target });
    const fail = (error: EcrErrorResponse) => {
      log.info({ status: error.status, error: error.name }, error.body.message as string);
      sendError(response, requestId, error);
    };

    // Authentication before the body, the body within the in-flight bound, then the signature.
    const authenticated = await readAuthenticatedBody(request, response, {
      credentials: options.credentials,
      signingScope: options.signingScope,
      budget: options.budget,
      limit: MAX_ECR_REQUEST_BYTES,
      buffers,
    });
    if (!authenticated.ok) return fail(authenticated.error);
    const { body, key, region } = authenticated;

    if (operation === undefined || !isEcrOperation(operation)) {
      return fail(
        protocolError("UnknownOperationException", `Unknown operation ${target || "(no X-Amz-Target)"}`),
      );
    }
    // Only the operation's own members are parsed; any other is skipped unread (ECR ignores them).
    // A layer part's base64 is decoded as the body is parsed, natively, once; the codec then checks
    // only its length.
    const layerPart = operation === "UploadLayerPart";
    const parsed = parseRequestBody(body, membersOf(operation), layerPart ? "layerPartBlob" : undefined);
    // What was parsed holds copies (strings, decoded bytes), never a view of the body.
    buffers.giveBack(body);
    if (!parsed.ok) return fail(protocolError("SerializationException", parsed.message));
    const json = parsed.request;
    const decoded = decodeRequest(operation, json);
    if (E.isLeft(decoded)) return fail(registryErrorResponse(decoded.left));
    if (key !== undefined) {
      const foreign = foreignRegistry(decoded.right, key.accountId);
      if (foreign !== undefined) {
        return fail(
          protocolError(
            "AccessDeniedException",
            `The access key ${key.accessKeyId} acts for registry ${key.accountId} and is not authorized to perform ecr:${operation} on registry ${foreign}`,
          ),
        );
      }
    }
    // A layer part is bytes or base64 by its codec (ASCII only): no need to scan its 28 MB again.
    const unstorable = operation === "UploadLayerPart" ? undefined : unstorableMember(json);
    if (unstorable !== undefined) {
      return fail(
        registryErrorResponse(
          RegistryErrors.invalidParameter(
            `Invalid parameter at '${unstorable}' failed to satisfy constraint: 'Member must not contain NUL characters or unpaired UTF-16 surrogates'`,
          ),
        ),
      );
    }

    // The registry the call acts in: the caller's account, in the region its credential is scoped to.
    const registryId = registryKey(
      key?.accountId ?? options.defaultAccountId,
      region,
      options.context.registry.context.region,
    );
    const context: CallContext = {
      ...options.context,
      baseUrl: options.baseUrlOf(request),
      registryId,
      ...(key === undefined ? {} : { principalArn: key.principalArn }),
    };
    const started = performance.now();
    // The table is indexed by the decoded operation, so the request's type matches by construction.
    const run = ecrOperations[operation] as (
      request: unknown,
      context: CallContext,
    ) => Promise<E.Either<RegistryError, unknown>>;
    const result = await run(decoded.right, context);
    if (E.isLeft(result)) return fail(registryOnWire(registryErrorResponse(result.left), registryId));
    log.info({ status: 200, ms: Math.round(performance.now() - started) }, "ok");
    send(response, requestId, 200, registryOnWire(result.right, registryId));
  });
};
