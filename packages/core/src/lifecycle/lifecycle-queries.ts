/**
 * GetLifecyclePolicy, GetLifecyclePolicyPreview, and which repositories' policies are due for
 * application: pure reads of the state (and of `now`, for what is due).
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { DEFAULT_MAX_RESULTS, invalidToken } from "../kernel/pagination.js";
import {
  type InvalidParameterException,
  type RegistryError,
  RegistryErrors,
} from "../kernel/registry-errors.js";
import {
  type LifecycleOutcome,
  type RegistryState,
  type RepositoryState,
  requireRepository,
} from "../kernel/registry-state.js";
import type { RegistryId, RepositoryName, TagStatus, Timestamp } from "../values/primitives.js";

interface RepositoryQuery {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export interface LifecyclePolicyAnswer {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly lifecyclePolicyText: string;
  /** Epoch milliseconds; 0 while the policy has not been applied yet (as ECR answers). */
  readonly lastEvaluatedAt: number;
}

export const getLifecyclePolicy = (
  state: RegistryState,
  query: RepositoryQuery,
): E.Either<RegistryError, LifecyclePolicyAnswer> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) =>
      repository.lifecyclePolicyText === undefined
        ? E.left(RegistryErrors.lifecyclePolicyNotFound(query.registryId, query.repositoryName))
        : E.right({
            registryId: query.registryId,
            repositoryName: query.repositoryName,
            lifecyclePolicyText: repository.lifecyclePolicyText,
            lastEvaluatedAt: repository.lifecycleEvaluatedAt ?? 0,
          }),
    ),
  );

export interface LifecyclePreviewQuery extends RepositoryQuery {
  readonly imageIds?: ReadonlyArray<{ readonly imageDigest?: string; readonly imageTag?: string }>;
  readonly filter?: { readonly tagStatus?: TagStatus };
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** ECR's shape of one preview result (its enums in capitals). */
export interface LifecyclePreviewResult {
  readonly imageDigest: string;
  readonly imageTags: ReadonlyArray<string>;
  readonly imagePushedAt: number;
  readonly action:
    | { readonly type: "EXPIRE" }
    | { readonly type: "TRANSITION"; readonly targetStorageClass: "ARCHIVE" };
  readonly appliedRulePriority: number;
  readonly storageClass: "STANDARD" | "ARCHIVE";
}

export interface LifecyclePreviewAnswer {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly lifecyclePolicyText: string;
  readonly status: "COMPLETE";
  readonly previewResults: ReadonlyArray<LifecyclePreviewResult>;
  readonly nextToken?: string;
  readonly summary: {
    readonly expiringImageTotalCount: number;
    readonly transitioningImageTotalCounts?: ReadonlyArray<{
      readonly targetStorageClass: "ARCHIVE";
      readonly imageTotalCount: number;
    }>;
  };
}

const PREVIEW_TOKEN = /^lcp1\.([0-9]{1,9})$/;

const decodePreviewToken = (token: string | undefined): E.Either<InvalidParameterException, number> => {
  if (token === undefined) return E.right(0);
  const match = PREVIEW_TOKEN.exec(token);
  return match === null ? E.left(invalidToken()) : E.right(Number(match[1]));
};

const onWire = (outcome: LifecycleOutcome): LifecyclePreviewResult => ({
  imageDigest: outcome.imageDigest,
  imageTags: outcome.imageTags,
  imagePushedAt: outcome.imagePushedAt,
  action:
    outcome.action.type === "expire"
      ? { type: "EXPIRE" }
      : { type: "TRANSITION", targetStorageClass: "ARCHIVE" },
  appliedRulePriority: outcome.appliedRulePriority,
  storageClass: outcome.storageClass === "archive" ? "ARCHIVE" : "STANDARD",
});

const wanted = (query: LifecyclePreviewQuery) => (outcome: LifecycleOutcome) => {
  const tagStatus = query.filter?.tagStatus ?? "ANY";
  if (tagStatus === "TAGGED" && outcome.imageTags.length === 0) return false;
  if (tagStatus === "UNTAGGED" && outcome.imageTags.length > 0) return false;
  return (
    query.imageIds === undefined ||
    query.imageIds.some(
      (id) =>
        (id.imageDigest === undefined || id.imageDigest === outcome.imageDigest) &&
        (id.imageTag === undefined || outcome.imageTags.some((tag) => tag === id.imageTag)),
    )
  );
};

/** The last preview, filtered and paged; the summary counts the whole preview. */
export const getLifecyclePolicyPreview = (
  state: RegistryState,
  query: LifecyclePreviewQuery,
): E.Either<RegistryError, LifecyclePreviewAnswer> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) =>
      repository.lifecyclePreview === undefined
        ? E.left<RegistryError>(
            RegistryErrors.lifecyclePolicyPreviewNotFound(query.registryId, query.repositoryName),
          )
        : E.right(repository.lifecyclePreview),
    ),
    E.chain((preview) =>
      pipe(
        decodePreviewToken(query.nextToken) as E.Either<RegistryError, number>,
        E.map((offset) => {
          const results = preview.results.filter(wanted(query));
          const size = query.maxResults ?? DEFAULT_MAX_RESULTS;
          const page = results.slice(offset, offset + size);
          const transitioning = preview.results.filter((r) => r.action.type === "transition").length;
          return {
            registryId: query.registryId,
            repositoryName: query.repositoryName,
            lifecyclePolicyText: preview.lifecyclePolicyText,
            status: "COMPLETE" as const,
            previewResults: page.map(onWire),
            ...(offset + size < results.length ? { nextToken: `lcp1.${offset + size}` } : {}),
            summary: {
              expiringImageTotalCount: preview.results.length - transitioning,
              ...(transitioning === 0
                ? {}
                : {
                    transitioningImageTotalCounts: [
                      { targetStorageClass: "ARCHIVE" as const, imageTotalCount: transitioning },
                    ],
                  }),
            },
          };
        }),
      ),
    ),
  );

/**
 * The repositories whose policy is due at `now`: never applied since it was set, or last applied
 * `intervalMs` or more ago. The engine's schedule reads this, so it survives restarts.
 */
export const dueLifecyclePolicies = (
  state: RegistryState,
  now: Timestamp,
  intervalMs: number,
): ReadonlyArray<RepositoryState> =>
  [...state.repositories.values()].filter(
    (repository) =>
      repository.lifecyclePolicyText !== undefined &&
      (repository.lifecycleEvaluatedAt === undefined || now - repository.lifecycleEvaluatedAt >= intervalMs),
  );
