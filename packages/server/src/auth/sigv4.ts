/**
 * AWS Signature Version 4 verification for the ECR JSON API. The request is signed again with the
 * secret of the access key it names, over exactly the headers it lists in SignedHeaders and the raw
 * body as received, and the two signatures are compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AccessKey, CredentialStore } from "./credentials.js";

export interface SignedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export type SignatureFailure =
  | { readonly kind: "MissingAuthenticationTokenException"; readonly message: string }
  | { readonly kind: "IncompleteSignatureException"; readonly message: string }
  | { readonly kind: "UnrecognizedClientException"; readonly message: string }
  | { readonly kind: "InvalidSignatureException"; readonly message: string };

export type SignatureCheck =
  | { readonly ok: true; readonly key: AccessKey | undefined }
  | ({ readonly ok: false } & SignatureFailure);

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The largest clock difference accepted between client and server (AWS allows 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const parseAmzDate = (value: string): Date | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
};

const fail = (kind: SignatureFailure["kind"], message: string): SignatureCheck => ({
  ok: false,
  kind,
  message,
});

/**
 * Checks a request's SigV4 signature. With no credentials configured (local mode) any well-formed
 * signature is accepted and `key` is undefined.
 */
export const verifySignature = async (
  request: SignedRequest,
  credentials: CredentialStore,
  now: Date,
): Promise<SignatureCheck> => {
  const authorization = header(request.headers, "authorization");
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
  const [, accessKeyId, , region, service, signedHeaderList, signature] = match as unknown as string[];
  const amzDate = header(request.headers, "x-amz-date");
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signingDate === undefined) {
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
  if (credentials.size === 0) return { ok: true, key: undefined };

  const key = credentials.get(accessKeyId!);
  if (key === undefined) {
    return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  // A declared payload hash is what gets signed (the signer trusts it over the body): it must be the body's.
  const declaredPayloadHash = header(request.headers, "x-amz-content-sha256");
  if (
    declaredPayloadHash !== undefined &&
    declaredPayloadHash !== createHash("sha256").update(request.body).digest("hex")
  ) {
    return fail(
      "InvalidSignatureException",
      "The x-amz-content-sha256 header does not match the SHA-256 of the request body.",
    );
  }
  const signedHeaders = signedHeaderList!.split(";");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: region!,
    service: service!,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    // Sign exactly the client's SignedHeaders: botocore (aws CLI, boto3) does not sign x-amz-content-sha256.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: headers.host ?? "",
      path: request.path,
      query: Object.fromEntries(request.query),
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? "";
  const matches =
    expected.length === signature!.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!));
  return matches
    ? { ok: true, key }
    : fail(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
};
