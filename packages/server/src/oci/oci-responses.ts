/**
 * How every /v2 answer is written: the API version header docker checks for, JSON and empty
 * bodies, and the spec's error body (bodiless for HEAD, as a HEAD answer must be).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { accountsInText, type RegistryError } from "@berth/core";
import { StorageBusyError } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { retryAfter, storageBusyMessage, UNEXPECTED_FAILURE_MESSAGE } from "../http/answer-failures.js";
import { type OciError, ociError, ociErrorOf } from "./oci-errors.js";

export const API_VERSION = { "docker-distribution-api-version": "registry/2.0" } as const;

export const sendJson = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...API_VERSION,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    ...headers,
  });
  response.end(payload);
};

export const sendEmpty = (response: ServerResponse, status: number, headers: Record<string, string>) => {
  response.writeHead(status, { ...API_VERSION, "content-length": "0", ...headers });
  response.end();
};

export const sendError = (response: ServerResponse, error: OciError, request: IncomingMessage) => {
  // A registry outside the default region is named by its account, as ECR names registries.
  const message = accountsInText(error.message);
  const body = { errors: [{ code: error.code, message, detail: error.detail ?? null }] };
  if (request.method === "HEAD") {
    sendEmpty(response, error.status, { ...error.headers });
    return;
  }
  sendJson(response, error.status, body, { ...error.headers });
};

/**
 * The answer to an unexpected failure, in the spec's error shape: 503 UNAVAILABLE with Retry-After
 * when the storage is busy (docker and containerd retry it), else a 500.
 */
export const sendUnexpectedFailure = (request: IncomingMessage, response: ServerResponse, error: unknown) =>
  sendError(
    response,
    error instanceof StorageBusyError
      ? { ...ociError(503, "UNAVAILABLE", storageBusyMessage(error)), headers: retryAfter(error) }
      : ociError(500, "UNKNOWN", UNEXPECTED_FAILURE_MESSAGE),
    request,
  );

/** Awaits a registry call; a Left is answered as its OCI error and resolves to undefined. */
export const orFail = async <A>(
  { request, response }: { readonly request: IncomingMessage; readonly response: ServerResponse },
  subject: "blob" | "upload" | "manifest",
  result: Promise<E.Either<RegistryError, A>>,
): Promise<A | undefined> => {
  const either = await result;
  if (E.isRight(either)) return either.right;
  sendError(response, ociErrorOf(either.left, subject), request);
  return undefined;
};

/** The `Link` header to the next page of a paginated list (tags, catalog), as the spec spells it. */
export const nextPageLink = (path: string, n: number | undefined, last: string) => ({
  link: `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`,
});
