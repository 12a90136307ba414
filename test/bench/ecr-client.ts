/**
 * ECR JSON 1.1 over fetch. The server runs in local mode (no credentials), where any well-formed
 * SigV4 Authorization with a current X-Amz-Date is accepted, so the client sends a dummy signature
 * and spends nothing on signing: the figures are the server's.
 */
import { request } from "./http-client.js";

const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";

/** `yyyyMMddTHHmmssZ`, recomputed at most once a second. */
const amzDate = (() => {
  let second = -1;
  let stamp = "";
  return () => {
    const s = Math.floor(Date.now() / 1000);
    if (s !== second) {
      second = s;
      stamp = new Date(s * 1000)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    }
    return stamp;
  };
})();

const headersFor = (operation: string): Record<string, string> => {
  const date = amzDate();
  return {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": TARGET_PREFIX + operation,
    "x-amz-date": date,
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK/${date.slice(0, 8)}/us-east-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
  };
};

export type EcrCall = (operation: string, body: string | Uint8Array) => Promise<Record<string, unknown>>;

/** Calls return the parsed answer; anything but 200 throws (a benchmark only counts successes). */
export const ecrClient =
  (endpoint: string): EcrCall =>
  async (operation, body) => {
    const answer = await request(`${endpoint}/`, { method: "POST", headers: headersFor(operation), body });
    const text = answer.body.toString("utf8");
    if (answer.status !== 200) throw new Error(`${operation}: HTTP ${answer.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
