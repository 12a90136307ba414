/**
 * AWS Signature Version 4 verification for the ECR JSON API, once the body has streamed in and been
 * hashed (the header was checked before: authorization-header.ts). The request is signed again with
 * the secret of the access key it names, over exactly the headers it lists in SignedHeaders and the
 * SHA-256 of the body as received, and the two signatures are compared in constant time.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { type AuthorizationClaim, headerValue, type SignatureFailure } from "./authorization-header.js";
import type { AccessKey } from "./credentials.js";

export interface SignedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The hex SHA-256 of the body as received, computed while it streamed in. */
  readonly payloadHash: string;
}

export type SignatureCheck =
  | { readonly ok: true; readonly key: AccessKey }
  | ({ readonly ok: false } & SignatureFailure);

const PAYLOAD_HASH_HEADER = "x-amz-content-sha256";

const invalid = (message: string): SignatureCheck => ({
  ok: false,
  kind: "InvalidSignatureException",
  message,
});

/** Checks the signature a claim carries for `key` against the request and its body's hash. */
export const verifySignature = async (
  request: SignedRequest,
  claim: AuthorizationClaim,
  key: AccessKey,
): Promise<SignatureCheck> => {
  // A declared payload hash is what gets signed (the signer trusts it over the body): it must be the body's.
  const declaredPayloadHash = headerValue(request.headers, PAYLOAD_HASH_HEADER);
  if (declaredPayloadHash !== undefined && declaredPayloadHash !== request.payloadHash) {
    return invalid("The x-amz-content-sha256 header does not match the SHA-256 of the request body.");
  }
  const headers: Record<string, string> = {};
  for (const name of claim.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  // The signer takes the payload hash from this header; unless the client signed it, it stays out
  // of the canonical headers (botocore, for the aws CLI and boto3, does not sign it).
  headers[PAYLOAD_HASH_HEADER] = request.payloadHash;
  const signableHeaders = new Set(claim.signedHeaders);
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: claim.region,
    service: claim.service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
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
    },
    {
      signingDate: claim.signingDate,
      signableHeaders,
      unsignableHeaders: new Set(signableHeaders.has(PAYLOAD_HASH_HEADER) ? [] : [PAYLOAD_HASH_HEADER]),
    },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? "";
  const matches =
    expected.length === claim.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(claim.signature));
  return matches
    ? { ok: true, key }
    : invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
};
