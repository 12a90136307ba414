/** A pull-through cache rule as the registry keeps it (in its settings, replaced whole). */
import type { Timestamp } from "../values/primitives.js";

/** ECR's UpstreamRegistry enumeration: which kind of registry a rule caches. */
export const UPSTREAM_REGISTRIES = [
  "ecr",
  "ecr-public",
  "quay",
  "k8s",
  "docker-hub",
  "github-container-registry",
  "azure-container-registry",
  "gitlab-container-registry",
  "chainguard",
] as const;
export type UpstreamRegistryKind = (typeof UPSTREAM_REGISTRIES)[number];

export interface PullThroughCacheRule {
  /** Without a trailing slash; ROOT matches every repository. */
  readonly ecrRepositoryPrefix: string;
  /** As given by the caller (ECR answers it back unchanged). */
  readonly upstreamRegistryUrl: string;
  readonly upstreamRegistry?: UpstreamRegistryKind;
  readonly credentialArn?: string;
  readonly customRoleArn?: string;
  /** Without a trailing slash; ROOT (the default) maps names unchanged. */
  readonly upstreamRepositoryPrefix: string;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}

/** A prefix as rules compare it: the model allows a trailing slash, which changes nothing. */
export const normalizePrefix = (prefix: string): string =>
  prefix !== "/" && prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;

/**
 * The base URL of the upstream's OCI distribution API: an http(s) URL as given, or a bare host
 * (`registry-1.docker.io`) over https, as ECR takes it; a bare loopback host (`localhost:5001`,
 * `127.0.0.1:5001`) over plain http, as docker treats local registries. Anything else is not a
 * registry Berth can reach: undefined.
 */
export const upstreamBaseUrl = (upstreamRegistryUrl: string): string | undefined => {
  const withScheme = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[^\s?#]*)?$/.exec(upstreamRegistryUrl);
  if (withScheme !== null) return upstreamRegistryUrl.replace(/\/+$/, "");
  const bare = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[^\s?#]*)?$/.exec(upstreamRegistryUrl);
  if (bare === null) return undefined;
  const loopback = /^(localhost|127\.[0-9.]+)(:|\/|$)/.test(upstreamRegistryUrl);
  return `${loopback ? "http" : "https"}://${upstreamRegistryUrl.replace(/\/+$/, "")}`;
};

const KNOWN_UPSTREAMS: ReadonlyArray<readonly [RegExp, UpstreamRegistryKind]> = [
  [/^public\.ecr\.aws$/, "ecr-public"],
  [/^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, "ecr"],
  [/^(registry-1\.)?docker\.io$/, "docker-hub"],
  [/^quay\.io$/, "quay"],
  [/^registry\.k8s\.io$/, "k8s"],
  [/^ghcr\.io$/, "github-container-registry"],
  [/\.azurecr\.io$/, "azure-container-registry"],
  [/^registry\.gitlab\.com$/, "gitlab-container-registry"],
  [/^cgr\.dev$/, "chainguard"],
];

/** The kind of registry an upstream URL names, as ECR answers it when the caller gave none; none for others. */
export const upstreamRegistryOf = (upstreamRegistryUrl: string): UpstreamRegistryKind | undefined => {
  const host = /^https?:\/\/([^:/]+)/.exec(upstreamBaseUrl(upstreamRegistryUrl) ?? "")?.[1];
  if (host === undefined) return undefined;
  return KNOWN_UPSTREAMS.find(([pattern]) => pattern.test(host))?.[1];
};
