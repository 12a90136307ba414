/**
 * Raw ECR JSON 1.1 requests with a SigV4 signer of our own (node:crypto only), independent of the
 * `@smithy/signature-v4` the server verifies with: agreement between the two is part of the test.
 */
import { createHash, createHmac } from "node:crypto";

export const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
export const CONTENT_TYPE = "application/x-amz-json-1.1";

const hex = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Uint8Array | string, data: string) => createHmac("sha256", key).update(data).digest();

/** `yyyyMMddTHHmmssZ`. */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Signs a `POST /` request: returns the headers to send (with Authorization and X-Amz-Date). Every
 * header in `headers` plus host and x-amz-date is signed, except those named in `leaveUnsigned`
 * (sent, but not in SignedHeaders: what a careless signer does, and what a replay exploits).
 */
export function signRequest(options: {
  readonly host: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  readonly key: SigningKey;
  readonly date?: Date;
  readonly region?: string;
  readonly service?: string;
  readonly leaveUnsigned?: ReadonlyArray<string>;
}): Record<string, string> {
  const date = options.date ?? new Date();
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const region = options.region ?? "us-east-1";
  const service = options.service ?? "ecr";
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  headers.host = options.host;
  headers["x-amz-date"] = stamp;
  const names = Object.keys(headers)
    .filter((name) => !options.leaveUnsigned?.includes(name))
    .sort();
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    "POST",
    "/",
    "",
    ...names.map((name) => `${name}:${headers[name]?.trim().replace(/\s+/g, " ")}`),
    "",
    signedHeaders,
    hex(options.body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, hex(canonicalRequest)].join("\n");
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${options.key.secretAccessKey}`, day), region), service),
    "aws4_request",
  );
  const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.key.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON body, or undefined when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs an ECR request to `endpoint`, signed with `key` (any key is accepted in local mode). */
export async function ecrCall(
  endpoint: string,
  options: {
    readonly target?: string | undefined;
    readonly body?: string | Uint8Array;
    readonly key?: SigningKey;
    readonly date?: Date;
    readonly headers?: Readonly<Record<string, string>>;
    /** Send these headers as they are, unsigned (no Authorization unless given). */
    readonly unsigned?: boolean;
  },
): Promise<RawAnswer> {
  const body = options.body ?? "{}";
  const base: Record<string, string> = {
    "content-type": CONTENT_TYPE,
    ...(options.target === undefined ? {} : { "x-amz-target": options.target }),
    ...options.headers,
  };
  const headers = options.unsigned
    ? base
    : signRequest({
        host: new URL(endpoint).host,
        headers: base,
        body,
        key: options.key ?? { accessKeyId: "test", secretAccessKey: "test" },
        ...(options.date === undefined ? {} : { date: options.date }),
      });
  const response = await fetch(`${endpoint}/`, { method: "POST", headers, body });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    json = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
