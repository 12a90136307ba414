/**
 * A backfill's status, progress and per-image results, derived from the rounds that name it (an
 * image's last round: a later push's round replaces it, and the image then leaves the backfill).
 * PREPARING until its rounds are started; IN_PROGRESS while one is; COMPLETE after. A stopped
 * backfill is STOPPING while rounds it started before the stop are still being copied, then STOPPED.
 */
import * as E from "fp-ts/lib/Either.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import type { Digest, RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";
import type { ReplicationBackfillState } from "./replication-backfill-messages.js";
import { type ReplicationDestination, sameDestination } from "./replication-values.js";

export type ReplicationBackfillStatus =
  | "PREPARING"
  | "IN_PROGRESS"
  | "COMPLETE"
  | "FAILED"
  | "STOPPING"
  | "STOPPED";

export interface ReplicationBackfillResult {
  readonly repositoryName: RepositoryName;
  readonly imageId: { readonly imageDigest: Digest };
  readonly status: "COMPLETE" | "FAILED";
  readonly failureCode?: string;
}

export interface ReplicationBackfillSummary {
  readonly replicationBackfillId: string;
  readonly destination: ReplicationDestination;
  readonly status: ReplicationBackfillStatus;
  readonly progress?: {
    readonly totalReplicationCount: number;
    readonly completedReplicationCount: number;
    readonly failedReplicationCount: number;
    readonly failureCodes: ReadonlyArray<string>;
  };
  readonly startedAt: Timestamp;
  readonly endedAt?: Timestamp;
}

export interface ReplicationBackfillView extends ReplicationBackfillSummary {
  /** Only once the backfill's status is terminal (COMPLETE or STOPPED), as in ECR. */
  readonly results?: ReadonlyArray<ReplicationBackfillResult>;
}

interface Round {
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly status: "IN_PROGRESS" | "COMPLETE" | "FAILED";
  readonly failureCode?: string;
}

const roundsOf = (
  state: RegistryState,
  registryId: RegistryId,
  backfill: ReplicationBackfillState,
): ReadonlyArray<Round> => {
  const rounds: Round[] = [];
  for (const repository of state.repositories.values()) {
    if (repository.registryId !== registryId) continue;
    for (const image of repository.images.values()) {
      const replication = image.replication;
      if (replication?.replicationBackfillId !== backfill.replicationBackfillId) continue;
      const d = replication.destinations.find((x) => sameDestination(x, backfill.destination));
      if (d === undefined) continue;
      rounds.push({
        repositoryName: repository.name,
        imageDigest: image.digest,
        status: d.status,
        ...(d.failureCode === undefined ? {} : { failureCode: d.failureCode }),
      });
    }
  }
  return rounds;
};

export const isTerminalBackfillStatus = (status: ReplicationBackfillStatus): boolean =>
  status === "COMPLETE" || status === "FAILED" || status === "STOPPED";

export const replicationBackfillView = (
  state: RegistryState,
  registryId: RegistryId,
  backfill: ReplicationBackfillState,
): ReplicationBackfillView => {
  const rounds = roundsOf(state, registryId, backfill);
  const running = rounds.some((r) => r.status === "IN_PROGRESS");
  const status: ReplicationBackfillStatus =
    backfill.stoppedAt !== undefined
      ? running
        ? "STOPPING"
        : "STOPPED"
      : !backfill.prepared
        ? "PREPARING"
        : running
          ? "IN_PROGRESS"
          : "COMPLETE";
  const failed = rounds.filter((r) => r.status === "FAILED");
  const terminal = isTerminalBackfillStatus(status);
  return {
    replicationBackfillId: backfill.replicationBackfillId,
    destination: backfill.destination,
    status,
    ...(backfill.prepared
      ? {
          progress: {
            totalReplicationCount: rounds.length,
            completedReplicationCount: rounds.filter((r) => r.status === "COMPLETE").length,
            failedReplicationCount: failed.length,
            failureCodes: [...new Set(failed.map((r) => r.failureCode ?? "UNKNOWN"))],
          },
        }
      : {}),
    startedAt: backfill.startedAt,
    ...(status === "STOPPED" && backfill.stoppedAt !== undefined ? { endedAt: backfill.stoppedAt } : {}),
    ...(terminal
      ? {
          results: rounds.flatMap((r) =>
            r.status === "IN_PROGRESS"
              ? []
              : [
                  {
                    repositoryName: r.repositoryName,
                    imageId: { imageDigest: r.imageDigest },
                    status: r.status,
                    ...(r.failureCode === undefined ? {} : { failureCode: r.failureCode }),
                  },
                ],
          ),
        }
      : {}),
  };
};

export const findReplicationBackfill = (
  state: RegistryState,
  registryId: RegistryId,
  replicationBackfillId: string,
): E.Either<RegistryError, ReplicationBackfillState> => {
  const found = registrySettings(state, registryId).replicationBackfills?.find(
    (b) => b.replicationBackfillId === replicationBackfillId,
  );
  return found === undefined
    ? E.left(
        RegistryErrors.replicationBackfill(
          "NotFound",
          `The replication backfill with id '${replicationBackfillId}' does not exist in the registry with id '${registryId}'`,
        ),
      )
    : E.right(found);
};

/** Every backfill of the registry, newest first. */
export const replicationBackfillsOf = (
  state: RegistryState,
  registryId: RegistryId,
): ReadonlyArray<ReplicationBackfillView> =>
  [...(registrySettings(state, registryId).replicationBackfills ?? [])]
    .reverse()
    .map((b) => replicationBackfillView(state, registryId, b));

const OFFSET_TOKEN = /^backfill1\.(\d+)$/;

/** One page of `items` from the offset `nextToken` names (tokens are `backfill1.<offset>`). */
const page = <T>(
  items: ReadonlyArray<T>,
  request: { readonly maxResults?: number | undefined; readonly nextToken?: string | undefined },
  defaultSize: number,
): E.Either<RegistryError, { readonly items: ReadonlyArray<T>; readonly nextToken?: string }> => {
  const match = request.nextToken === undefined ? undefined : OFFSET_TOKEN.exec(request.nextToken);
  if (request.nextToken !== undefined && match?.[1] === undefined) {
    return E.left(
      RegistryErrors.invalidParameter(
        "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
      ),
    );
  }
  const from = match?.[1] === undefined ? 0 : Number(match[1]);
  const to = from + (request.maxResults ?? defaultSize);
  return E.right({
    items: items.slice(from, to),
    ...(to < items.length ? { nextToken: `backfill1.${to}` } : {}),
  });
};

/** ListReplicationBackfills: newest first, 25 a page unless `maxResults` says otherwise. */
export const listReplicationBackfills = (
  state: RegistryState,
  request: {
    readonly registryId: RegistryId;
    readonly maxResults?: number | undefined;
    readonly nextToken?: string | undefined;
  },
) =>
  E.map(({ items, nextToken }: { items: ReadonlyArray<ReplicationBackfillView>; nextToken?: string }) => ({
    backfills: items.map(({ results: _, ...summary }): ReplicationBackfillSummary => summary),
    ...(nextToken === undefined ? {} : { nextToken }),
  }))(page(replicationBackfillsOf(state, request.registryId), request, 25));

/** DescribeReplicationBackfillResults: the backfill and a page (100 unless told) of its results. */
export const describeReplicationBackfillResults = (
  state: RegistryState,
  request: {
    readonly registryId: RegistryId;
    readonly replicationBackfillId: string;
    readonly resultStatusFilter?: "COMPLETE" | "FAILED" | undefined;
    readonly maxResults?: number | undefined;
    readonly nextToken?: string | undefined;
  },
): E.Either<RegistryError, ReplicationBackfillView & { readonly nextToken?: string }> =>
  E.chain((backfill: ReplicationBackfillState) => {
    const view = replicationBackfillView(state, request.registryId, backfill);
    if (view.results === undefined) return E.right(view);
    const filter = request.resultStatusFilter;
    const results = filter === undefined ? view.results : view.results.filter((r) => r.status === filter);
    return E.map(
      ({ items, nextToken }: { items: ReadonlyArray<ReplicationBackfillResult>; nextToken?: string }) => ({
        ...view,
        results: items,
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    )(page(results, request, 100));
  })(findReplicationBackfill(state, request.registryId, request.replicationBackfillId));
