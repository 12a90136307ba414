/**
 * An ECR request's authentication and body, in the order that keeps an unauthenticated client from
 * costing memory: the Authorization header from the headers alone, then a reservation from the
 * in-flight bound, then the body (hashed as it streams), then the signature over that hash. A
 * refusal before the body closes the connection rather than drain what was not wanted.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkAuthorizationHeader, type SigningScope } from "../auth/authorization-header.js";
import type { AccessKey, CredentialStore } from "../auth/credentials.js";
import { verifySignature } from "../auth/sigv4.js";
import type { BodyBuffers } from "../http/body-buffers.js";
import { closeAfterRefusal } from "../http/close-after-refusal.js";
import {
  bodyReservation,
  INFLIGHT_RETRY_AFTER_SECONDS,
  type InflightBudget,
  inflightRefusal,
} from "../http/inflight-budget.js";
import { BodyTooLargeError } from "../http/read-body.js";
import { readSignedBody } from "../http/read-signed-body.js";
import { type EcrErrorResponse, protocolError } from "./ecr-errors.js";

export interface AuthenticationOptions {
  readonly credentials: CredentialStore;
  readonly signingScope: SigningScope;
  readonly budget: InflightBudget;
  /** The largest body accepted. */
  readonly limit: number;
  /** Lends large bodies their buffer (given back by the caller once parsed). */
  readonly buffers?: BodyBuffers;
}

export type AuthenticatedBody =
  | {
      readonly ok: true;
      readonly body: Buffer;
      /** The verified key; undefined in local mode (any well-formed, in-scope signature). */
      readonly key: AccessKey | undefined;
      /** The region of the credential scope: the region the request acts in, as AWS routes it. */
      readonly region: string;
    }
  | { readonly ok: false; readonly error: EcrErrorResponse };

export const readAuthenticatedBody = async (
  request: IncomingMessage,
  response: ServerResponse,
  options: AuthenticationOptions,
): Promise<AuthenticatedBody> => {
  const refuseUnread = (error: EcrErrorResponse): AuthenticatedBody => {
    closeAfterRefusal(request, response);
    return { ok: false, error };
  };
  const claim = checkAuthorizationHeader(
    request.headers,
    options.credentials,
    options.signingScope,
    new Date(),
  );
  if (!claim.ok) return refuseUnread(protocolError(claim.kind, claim.message));
  // Too large by its own account: no reservation, no retry (a throttled client would try again).
  if (Number(request.headers["content-length"] ?? 0) > options.limit) {
    return refuseUnread(
      protocolError("SerializationException", new BodyTooLargeError(options.limit).message),
    );
  }
  if (!options.budget.reserveFor(response, bodyReservation(request, options.limit))) {
    response.setHeader("retry-after", String(INFLIGHT_RETRY_AFTER_SECONDS));
    return refuseUnread(protocolError("ThrottlingException", inflightRefusal(options.budget)));
  }
  const { key } = claim;
  let read: Awaited<ReturnType<typeof readSignedBody>>;
  try {
    read = await readSignedBody(request, options.limit, key !== undefined, options.buffers);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuseUnread(protocolError("SerializationException", error.message));
    }
    throw error;
  }
  if (key === undefined || read.sha256 === undefined)
    return { ok: true, body: read.body, key: undefined, region: claim.region };
  const url = new URL(request.url ?? "/", "http://localhost");
  const signature = await verifySignature(
    {
      method: request.method ?? "POST",
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      payloadHash: read.sha256,
    },
    claim,
    key,
  );
  return signature.ok
    ? { ok: true, body: read.body, key, region: claim.region }
    : { ok: false, error: protocolError(signature.kind, signature.message) };
};
