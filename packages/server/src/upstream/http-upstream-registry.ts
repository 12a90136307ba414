/**
 * The upstream registry over HTTP: the OCI distribution API of any registry (Docker Hub, Quay, GHCR,
 * another Berth, the CNCF registry), with the auth registries ask for: a 401 with a Basic challenge
 * is answered with the rule's credentials, a Bearer challenge by fetching a token from its realm
 * (with the credentials when given, anonymously otherwise). What worked is kept per repository and
 * credentials until a request is refused again. Blobs stream through, never buffered; manifests are bounded.
 */
import { createHash } from "node:crypto";
import {
  type UpstreamCredentials,
  type UpstreamManifest,
  type UpstreamRegistry,
  type UpstreamRepository,
  UpstreamUnavailableError,
} from "@berth/engine";
import { parseChallenge } from "./www-authenticate.js";

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");
/** ECR's bound on a manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface HttpUpstreamOptions {
  /** How long the upstream has to answer a request's headers (default 30 s). */
  readonly headersTimeoutMs?: number;
}

const basic = ({ username, password }: UpstreamCredentials) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

const identityOf = (credentials: UpstreamCredentials | undefined) =>
  credentials === undefined
    ? "anonymous"
    : createHash("sha256").update(`${credentials.username}:${credentials.password}`).digest("hex");

const reasonOf = (error: unknown): string => {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
};

type Send = (url: string, headers: Record<string, string>) => Promise<Response>;

/** fetch, with `timeoutMs` for the answer's headers; failing to reach the upstream is UpstreamUnavailableError. */
const sender =
  (timeoutMs: number): Send =>
  async (url, headers) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      return await fetch(url, { headers, signal: abort.signal, redirect: "follow" });
    } catch (error) {
      throw new UpstreamUnavailableError(`cannot reach ${new URL(url).origin}: ${reasonOf(error)}`);
    } finally {
      clearTimeout(timer);
    }
  };

/** The Authorization a 401's challenge asks for, or an error saying why there is none. */
const authorize = async (
  send: Send,
  response: Response,
  scope: string,
  credentials?: UpstreamCredentials,
) => {
  const challenge = parseChallenge(response.headers.get("www-authenticate"));
  if (challenge?.scheme === "basic") {
    if (credentials === undefined) {
      throw new UpstreamUnavailableError(
        "the upstream asks for credentials and the rule has no credentialArn",
      );
    }
    return basic(credentials);
  }
  if (challenge?.scheme === "bearer" && challenge.params.realm !== undefined) {
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service !== undefined) realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.set("scope", challenge.params.scope ?? scope);
    const answer = await send(
      realm.toString(),
      credentials === undefined ? {} : { authorization: basic(credentials) },
    );
    if (!answer.ok) {
      await answer.body?.cancel();
      throw new UpstreamUnavailableError(`the upstream's token service refused a token (${answer.status})`);
    }
    const body = (await answer.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined)
      throw new UpstreamUnavailableError("the upstream's token service answered no token");
    return `Bearer ${token}`;
  }
  throw new UpstreamUnavailableError(
    "the upstream refused the request (401) without a challenge Berth can answer",
  );
};

async function* streamed(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw new UpstreamUnavailableError(`the upstream broke off the blob: ${reasonOf(error)}`);
  }
}

export const createHttpUpstreamRegistry = (options: HttpUpstreamOptions = {}): UpstreamRegistry => {
  const headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
  const send = sender(headersTimeoutMs);
  /** The Authorization that last worked, per upstream repository. */
  const authorizations = new Map<string, string>();

  /** GETs `path` of the repository, answering one auth challenge; a non-2xx answer is an error. */
  const get = async (source: UpstreamRepository, path: string, accept?: string) => {
    // Per credentials too: a token one rule's credentials earned never serves another rule's pulls.
    const key = `${source.url} ${source.repository} ${identityOf(source.credentials)}`;
    const url = `${source.url}/v2/${source.repository}/${path}`;
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    const known = authorizations.get(key);
    let response = await send(url, known === undefined ? headers : { ...headers, authorization: known });
    if (response.status === 401) {
      await response.body?.cancel();
      const authorization = await authorize(
        send,
        response,
        `repository:${source.repository}:pull`,
        source.credentials,
      );
      authorizations.set(key, authorization);
      response = await send(url, { ...headers, authorization });
    }
    if (!response.ok) {
      await response.body?.cancel();
      const what = response.status === 404 ? "not found upstream" : `refused by the upstream`;
      throw new UpstreamUnavailableError(`${source.repository}/${path} ${what} (HTTP ${response.status})`);
    }
    return response;
  };

  return {
    getManifest: async (source, reference): Promise<UpstreamManifest> => {
      const response = await get(source, `manifests/${reference}`, MANIFEST_TYPES);
      const declared = Number(response.headers.get("content-length") ?? 0);
      if (declared > MAX_MANIFEST_BYTES) {
        await response.body?.cancel();
        throw new UpstreamUnavailableError(`the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
      }
      const bytes = new Uint8Array(
        await response.arrayBuffer().catch((error: unknown) => {
          throw new UpstreamUnavailableError(`the upstream broke off the manifest: ${reasonOf(error)}`);
        }),
      );
      if (bytes.length > MAX_MANIFEST_BYTES) {
        throw new UpstreamUnavailableError(`the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
      }
      const mediaType = response.headers.get("content-type");
      return mediaType === null ? { bytes } : { bytes, mediaType };
    },
    getBlob: async (source, digest) => {
      const response = await get(source, `blobs/${digest}`);
      if (response.body === null)
        throw new UpstreamUnavailableError(`the upstream answered no bytes for ${digest}`);
      return streamed(response.body);
    },
    check: async (source) => {
      const response = await send(`${source.url}/v2/`, {});
      await response.body?.cancel();
      if (response.ok) return;
      if (response.status !== 401)
        throw new UpstreamUnavailableError(`the upstream answered /v2/ with ${response.status}`);
      const authorization = await authorize(send, response, "registry:catalog:*", source.credentials);
      const again = await send(`${source.url}/v2/`, { authorization });
      await again.body?.cancel();
      if (!again.ok)
        throw new UpstreamUnavailableError(`the upstream refused the credentials (${again.status})`);
    },
  };
};
