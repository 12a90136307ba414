/**
 * ECR's error responses: status 400 for every client fault (500 only for ServerException, which the
 * SDKs retry), a body `{"__type", "message", …modelled members}`, and the `x-amzn-ErrorType` header
 * that the JS SDK reads first (botocore reads `__type`).
 */
import type { RegistryError } from "@berth/core";
import { StorageBusyError } from "@berth/engine";
import { storageBusyMessage, UNEXPECTED_FAILURE_MESSAGE } from "../http/answer-failures.js";

/** Errors of the protocol itself, outside the registry's domain. */
export type ProtocolErrorName =
  | "UnknownOperationException"
  | "SerializationException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException"
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "AccessDeniedException"
  /** Too many bytes in flight: the SDKs and botocore retry it with backoff. */
  | "ThrottlingException"
  | "ServerException";

export interface EcrErrorResponse {
  readonly status: number;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

const STATUS: Partial<Record<ProtocolErrorName, number>> = {
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  ServerException: 500,
};

export const protocolError = (name: ProtocolErrorName, message: string): EcrErrorResponse => ({
  status: STATUS[name] ?? 400,
  name,
  body: { __type: name, message },
});

export const registryErrorResponse = (error: RegistryError): EcrErrorResponse => {
  const { _tag, ...members } = error;
  return { status: 400, name: _tag, body: { __type: _tag, ...members } };
};

/**
 * ServerException, ECR's one 500 (the SDKs retry it with backoff): for a busy storage it says so and
 * when to retry; anything else is a bug and says only that it was logged.
 */
export const serverException = (error: unknown): EcrErrorResponse =>
  protocolError(
    "ServerException",
    error instanceof StorageBusyError ? storageBusyMessage(error) : UNEXPECTED_FAILURE_MESSAGE,
  );
