/**
 * The part of SigV4 that needs no body: the Authorization header's shape, its credential scope, its
 * date, its signed headers and its access key. It runs before a body byte is read, so a request
 * that can never verify costs no memory; the signature itself is checked once the body is hashed
 * (sigv4.ts). Messages are the ones AWS's JSON services give for the same faults.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AccessKey, CredentialStore } from "./credentials.js";

export type SignatureFailure =
  | { readonly kind: "MissingAuthenticationTokenException"; readonly message: string }
  | { readonly kind: "IncompleteSignatureException"; readonly message: string }
  | { readonly kind: "UnrecognizedClientException"; readonly message: string }
  | { readonly kind: "InvalidSignatureException"; readonly message: string };

/** What a well-formed, in-scope Authorization header claims, to be proven by its signature. */
export interface AuthorizationClaim {
  /** The configured key it names; undefined in local mode, where any key is accepted unverified. */
  readonly key: AccessKey | undefined;
  readonly signingDate: Date;
  readonly region: string;
  readonly service: string;
  /** Lowercase header names, as listed in SignedHeaders. */
  readonly signedHeaders: ReadonlyArray<string>;
  readonly signature: string;
}

export type AuthorizationCheck =
  | ({ readonly ok: true } & AuthorizationClaim)
  | ({ readonly ok: false } & SignatureFailure);

/** Where requests must be scoped: the signing name of the service and the regions Berth serves. */
export interface SigningScope {
  readonly service: string;
  /** Whether Berth serves a region (it serves every AWS-shaped region name: `isAwsRegion`). */
  readonly servesRegion: (region: string) => boolean;
}

/** The largest clock difference accepted between client and server (AWS allows 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

const parseAmzDate = (value: string): Date | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
};

export const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
};

const fail = (kind: SignatureFailure["kind"], message: string): AuthorizationCheck => ({
  ok: false,
  kind,
  message,
});

/** Every fault of the credential scope at once, as AWS lists them; empty when the scope is right. */
const scopeFaults = (
  [day, region, service, terminator]: ReadonlyArray<string>,
  amzDate: string,
  scope: SigningScope,
): string => {
  const faults = [
    ...(scope.servesRegion(region!)
      ? []
      : [`Credential should be scoped to a valid region, not '${region}'. `]),
    ...(service === scope.service
      ? []
      : [`Credential should be scoped to correct service: '${scope.service}'. `]),
    ...(terminator === "aws4_request"
      ? []
      : [`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `]),
    ...(day === amzDate.slice(0, 8)
      ? []
      : [
          `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
        ]),
  ];
  return faults.join("").trim();
};

/**
 * Checks what can be checked of a SigV4 request before its body: the header's form, the date
 * within the 15-minute skew, `host` (and `x-amz-target` when sent) among the signed headers, the
 * credential scope, and with credentials configured the access key. With no credentials (local
 * mode) the claim carries no key and its signature will not be checked.
 */
export const checkAuthorizationHeader = (
  headers: IncomingHttpHeaders,
  credentials: CredentialStore,
  scope: SigningScope,
  now: Date,
): AuthorizationCheck => {
  const authorization = headerValue(headers, "authorization");
  if (authorization === undefined) {
    return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    return fail(
      "IncompleteSignatureException",
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256)",
    );
  }
  const [, credential, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const parts = credential.split("/");
  if (parts.length !== 5 || parts.some((part) => part === "")) {
    return fail(
      "IncompleteSignatureException",
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const amzDate = headerValue(headers, "x-amz-date");
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signingDate === undefined) {
    return fail(
      "IncompleteSignatureException",
      "Signed requests need an X-Amz-Date header (yyyyMMddTHHmmssZ)",
    );
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return fail(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is more than 15 minutes away from the server's time ${now.toISOString()}`,
    );
  }
  // Unsigned, these could be changed by whoever holds a captured request: another host, another operation.
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) {
    return fail(
      "InvalidSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (headers["x-amz-target"] !== undefined && !signedHeaders.includes("x-amz-target")) {
    return fail(
      "InvalidSignatureException",
      "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  const [accessKeyId, ...scoped] = parts as [string, string, string, string, string];
  const faults = scopeFaults(scoped, amzDate, scope);
  if (faults !== "") return fail("InvalidSignatureException", faults);

  const key = credentials.size === 0 ? undefined : credentials.get(accessKeyId);
  if (credentials.size > 0 && key === undefined) {
    return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  return { ok: true, key, signingDate, region: scoped[1]!, service: scoped[2]!, signedHeaders, signature };
};
