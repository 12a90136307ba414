/**
 * DescribePullThroughCacheRules, and what a pull of a missing image needs decided: which rule covers
 * a repository, the upstream repository it names, the command creating its cache repository (from
 * the creation templates), and whether a cached tag is due to be checked upstream again.
 */
import * as E from "fp-ts/lib/Either.js";
import type { CreateRepositoryFromTemplate } from "../creation-templates/template-commands.js";
import { ROOT_PREFIX } from "../creation-templates/template-values.js";
import { invalidToken } from "../kernel/pagination.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import type { RegistryState } from "../kernel/registry-state.js";
import type { RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";
import { findPullThroughCacheRule, pullThroughCacheRules } from "./cache-rule-decider.js";
import { type PullThroughCacheRule, upstreamBaseUrl } from "./cache-rule-values.js";

const TOKEN = /^ptc1\.([0-9]{1,6})$/;

export const describePullThroughCacheRules = (
  state: RegistryState,
  query: {
    readonly registryId: RegistryId;
    readonly ecrRepositoryPrefixes?: ReadonlyArray<string>;
    readonly maxResults?: number;
    readonly nextToken?: string;
  },
): E.Either<
  RegistryError,
  {
    pullThroughCacheRules: ReadonlyArray<PullThroughCacheRule & { registryId: RegistryId }>;
    nextToken?: string;
  }
> => {
  const offset = query.nextToken === undefined ? 0 : Number(TOKEN.exec(query.nextToken)?.[1] ?? Number.NaN);
  if (Number.isNaN(offset)) return E.left(invalidToken());
  let rules = pullThroughCacheRules(state, query.registryId);
  if (query.ecrRepositoryPrefixes !== undefined) {
    const named: PullThroughCacheRule[] = [];
    for (const prefix of query.ecrRepositoryPrefixes) {
      const rule = findPullThroughCacheRule(state, query.registryId, prefix);
      if (rule === undefined) {
        return E.left(RegistryErrors.pullThroughCacheRuleNotFound(prefix, query.registryId));
      }
      if (!named.includes(rule)) named.push(rule);
    }
    rules = named;
  }
  const end = offset + (query.maxResults ?? 100);
  const page = rules.slice(offset, end).map((rule) => ({ registryId: query.registryId, ...rule }));
  return E.right(
    end < rules.length
      ? { pullThroughCacheRules: page, nextToken: `ptc1.${end}` }
      : { pullThroughCacheRules: page },
  );
};

/** Where a cache repository's images come from. */
export interface PullThroughSource {
  readonly rule: PullThroughCacheRule;
  /** The base URL of the upstream's `/v2` API. */
  readonly upstreamUrl: string;
  /** The repository's name upstream. */
  readonly upstreamRepository: string;
}

/**
 * The rule covering `repositoryName`, if any: the longest `ecrRepositoryPrefix` the name starts
 * with (followed by `/`), else a ROOT rule. Its upstream name is the rest of the name, under the
 * rule's `upstreamRepositoryPrefix` unless that is ROOT.
 */
export const pullThroughSourceOf = (
  state: RegistryState,
  registryId: RegistryId,
  repositoryName: RepositoryName,
): PullThroughSource | undefined => {
  let best: { rule: PullThroughCacheRule; rest: string } | undefined;
  for (const rule of pullThroughCacheRules(state, registryId)) {
    const prefix = rule.ecrRepositoryPrefix;
    const isRoot = prefix === ROOT_PREFIX;
    if (!isRoot && !repositoryName.startsWith(`${prefix}/`)) continue;
    const rest = isRoot ? repositoryName : repositoryName.slice(prefix.length + 1);
    const rank = (r: PullThroughCacheRule) =>
      r.ecrRepositoryPrefix === ROOT_PREFIX ? 0 : r.ecrRepositoryPrefix.length;
    if (rest !== "" && (best === undefined || rank(rule) > rank(best.rule))) best = { rule, rest };
  }
  if (best === undefined) return undefined;
  const upstreamUrl = upstreamBaseUrl(best.rule.upstreamRegistryUrl);
  if (upstreamUrl === undefined) return undefined;
  const upstreamPrefix = best.rule.upstreamRepositoryPrefix;
  return {
    rule: best.rule,
    upstreamUrl,
    upstreamRepository: upstreamPrefix === ROOT_PREFIX ? best.rest : `${upstreamPrefix}/${best.rest}`,
  };
};

/**
 * The command that creates a cache repository on its first pull: shaped by the registry's
 * repository creation template applied for PULL_THROUGH_CACHE that covers the name, else with
 * ECR's defaults (an implicit ROOT template), as ECR creates them.
 */
export const pullThroughCacheRepositoryCommand = (
  registryId: RegistryId,
  repositoryName: RepositoryName,
  createdAt: Timestamp,
): CreateRepositoryFromTemplate => ({
  type: "CreateRepositoryFromTemplate",
  data: { registryId, repositoryName, purpose: "PULL_THROUGH_CACHE", implicitRootTemplate: true, createdAt },
});

/**
 * Whether a cached tag must be checked upstream before it is served: never checked (in this
 * process) since its image was stored, and that is `refreshMs` ago or more.
 */
export const isUpstreamCheckDue = (lastCheckedAt: Timestamp, now: Timestamp, refreshMs: number): boolean =>
  now - lastCheckedAt >= refreshMs;
