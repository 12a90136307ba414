/**
 * The upstream registry port: where a pull-through cache fetches what it does not hold yet, over
 * the OCI distribution API. The engine decides nothing here about names or rules (the core does);
 * it asks for one manifest or one blob of one upstream repository. Berth's server ships the HTTP
 * implementation (Basic and Bearer token auth); an embedding service may plug its own through
 * `createRegistry({ upstream })`.
 */

export interface UpstreamCredentials {
  readonly username: string;
  readonly password: string;
}

/** One repository of one upstream registry. */
export interface UpstreamRepository {
  /** The base URL of the upstream's `/v2` API (`https://registry-1.docker.io`). */
  readonly url: string;
  /** The repository's name upstream (`library/alpine`). */
  readonly repository: string;
  /** The credentials the rule's `credentialArn` names, when it names some. */
  readonly credentials?: UpstreamCredentials;
}

export interface UpstreamManifest {
  /** The manifest byte-exact, as the upstream sent it. */
  readonly bytes: Uint8Array;
  /** The upstream's Content-Type, when it gave one. */
  readonly mediaType?: string;
}

/**
 * The upstream did not give what was asked: unreachable, refusing (401, 403), not holding it (404),
 * or answering something else. The message says which, for the caller's error.
 */
export class UpstreamUnavailableError extends Error {
  override readonly name = "UpstreamUnavailableError";
}

export interface UpstreamRegistry {
  /** A manifest by tag or digest; rejects with UpstreamUnavailableError when it cannot be had. */
  getManifest(source: UpstreamRepository, reference: string): Promise<UpstreamManifest>;
  /**
   * A blob's bytes as they arrive (never buffered whole); rejects (or the stream fails) with
   * UpstreamUnavailableError. The caller checks the digest.
   */
  getBlob(source: UpstreamRepository, digest: string): Promise<AsyncIterable<Uint8Array>>;
  /** Whether the upstream answers its `/v2/` base with the credentials given (ValidatePullThroughCacheRule). */
  check(source: Omit<UpstreamRepository, "repository">): Promise<void>;
}

/** What `createRegistry` takes for pull-through caching. */
export interface PullThroughOptions {
  /** Fetches from upstream registries; without it, every fill fails with UnableToGetUpstream…. */
  readonly upstream?: UpstreamRegistry;
  /** Credentials by the `credentialArn` rules name them with (Berth's stand-in for Secrets Manager). */
  readonly upstreamCredentials?: ReadonlyMap<string, UpstreamCredentials>;
  /** How long a cached tag is served before it is checked upstream again, in ms (default 6 hours). */
  readonly pullThroughRefreshMs?: number;
}

export const DEFAULT_PULL_THROUGH_REFRESH_MS = 6 * 60 * 60 * 1000;

/** An upstream for registries given none: every fetch fails, saying so. */
export const noUpstream: UpstreamRegistry = {
  getManifest: () => Promise.reject(new UpstreamUnavailableError("no upstream client is configured")),
  getBlob: () => Promise.reject(new UpstreamUnavailableError("no upstream client is configured")),
  check: () => Promise.reject(new UpstreamUnavailableError("no upstream client is configured")),
};
