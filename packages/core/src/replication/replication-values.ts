/**
 * Replication's values: a registry's configuration (rules of destinations and repository filters)
 * and the status of an image's replication to each destination; which destinations a repository's
 * images go to (`destinationsOf`).
 */
import type { RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";

/** ECR's quotas: rules per configuration, destinations across all rules, filters per rule. */
export const MAX_REPLICATION_RULES = 10;
export const MAX_REPLICATION_DESTINATIONS = 25;
export const MAX_REPOSITORY_FILTERS = 100;

export interface ReplicationDestination {
  readonly region: string;
  readonly registryId: RegistryId;
}
export interface RepositoryFilter {
  readonly filter: string;
  readonly filterType: "PREFIX_MATCH";
}
export interface ReplicationRule {
  readonly destinations: ReadonlyArray<ReplicationDestination>;
  readonly repositoryFilters?: ReadonlyArray<RepositoryFilter>;
}
export interface ReplicationConfiguration {
  readonly rules: ReadonlyArray<ReplicationRule>;
}

export type ReplicationStatus = "IN_PROGRESS" | "COMPLETE" | "FAILED";

export interface DestinationStatus extends ReplicationDestination {
  readonly status: ReplicationStatus;
  readonly failureCode?: string;
}

/** An image's last replication round: started by a push or a tag, one status per destination. */
export interface ImageReplication {
  readonly startedAt: Timestamp;
  readonly destinations: ReadonlyArray<DestinationStatus>;
  /** The backfill that started this round, if one did. */
  readonly replicationBackfillId?: string;
}

export const sameDestination = (a: ReplicationDestination, b: ReplicationDestination): boolean =>
  a.region === b.region && a.registryId === b.registryId;

/** A rule without filters covers every repository; else a repository whose name starts with one. */
export const replicationRuleCovers = (
  rule: ReplicationRule,
  repositoryName: RepositoryName | string,
): boolean =>
  rule.repositoryFilters === undefined ||
  rule.repositoryFilters.length === 0 ||
  rule.repositoryFilters.some((f) => f.filterType === "PREFIX_MATCH" && repositoryName.startsWith(f.filter));

/** Each destination the repository's images replicate to, once, in the configuration's order. */
export const destinationsOf = (
  configuration: ReplicationConfiguration | undefined,
  repositoryName: RepositoryName | string,
): ReadonlyArray<ReplicationDestination> => {
  const found: ReplicationDestination[] = [];
  for (const rule of configuration?.rules ?? []) {
    if (!replicationRuleCovers(rule, repositoryName)) continue;
    for (const d of rule.destinations) {
      if (!found.some((f) => sameDestination(f, d)))
        found.push({ region: d.region, registryId: d.registryId });
    }
  }
  return found;
};
