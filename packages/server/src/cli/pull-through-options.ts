/**
 * Flags of `berth serve` for the pull-through cache: how often a cached tag is checked upstream
 * again, and the credentials rules name by `credentialArn` (Berth's stand-in for the Secrets
 * Manager secrets ECR reads), given as `ARN=USER:PASSWORD`, the flag repeated once per secret.
 */
import {
  DEFAULT_PULL_THROUGH_REFRESH_MS,
  type PullThroughOptions,
  type UpstreamCredentials,
} from "@berth/engine";
import { InvalidArgumentError, Option } from "commander";
import { createHttpUpstreamRegistry } from "../upstream/http-upstream-registry.js";
import { durationFlag, formatDuration } from "./duration.js";

export interface PullThroughFlags {
  /** Milliseconds a cached tag is served before it is checked upstream again. */
  readonly pullThroughRefresh?: number;
  /** Credentials by ARN, from `--upstream-credentials`. */
  readonly upstreamCredentials?: ReadonlyMap<string, UpstreamCredentials>;
}

const ENTRY = /^(arn:[^=\s]+)=([^:\s]+):(\S*)$/;

/** Adds `ARN=USER:PASSWORD` entries (several, whitespace-separated, from the environment) to those before. */
const credentialsFlag = (
  value: string,
  previous: ReadonlyMap<string, UpstreamCredentials> | undefined,
): ReadonlyMap<string, UpstreamCredentials> => {
  const all = new Map(previous ?? []);
  for (const entry of value.trim().split(/\s+/)) {
    const match = ENTRY.exec(entry);
    if (match === null) throw new InvalidArgumentError("expected ARN=USER:PASSWORD");
    all.set(match[1]!, { username: match[2]!, password: match[3]! });
  }
  return all;
};

export const pullThroughRefreshOption = () =>
  new Option(
    "--pull-through-refresh <duration>",
    "how long a cached tag is served before it is checked upstream again",
  )
    .env("BERTH_PULL_THROUGH_REFRESH")
    .default(DEFAULT_PULL_THROUGH_REFRESH_MS, formatDuration(DEFAULT_PULL_THROUGH_REFRESH_MS))
    .argParser(durationFlag);

export const upstreamCredentialsOption = () =>
  new Option(
    "--upstream-credentials <ARN=USER:PASSWORD>",
    "credentials a pull-through cache rule's credentialArn names (repeat the flag for each)",
  )
    .env("BERTH_UPSTREAM_CREDENTIALS")
    .argParser(credentialsFlag);

/** What `createRegistry` takes for pull-through caching, from the flags. */
export const pullThroughRegistryOptions = (flags: PullThroughFlags): PullThroughOptions => ({
  upstream: createHttpUpstreamRegistry(),
  upstreamCredentials: flags.upstreamCredentials ?? new Map(),
  ...(flags.pullThroughRefresh === undefined ? {} : { pullThroughRefreshMs: flags.pullThroughRefresh }),
});
