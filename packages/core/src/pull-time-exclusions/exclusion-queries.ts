/**
 * ListPullTimeUpdateExclusions, and `isPullTimeExcluded`: whether a pull by a principal leaves the
 * image's lastRecordedPullTime as it was (the pull-time recording of the lifecycle work asks it).
 */
import * as E from "fp-ts/lib/Either.js";
import { invalidToken } from "../kernel/pagination.js";
import type { RegistryError } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";

/**
 * The IAM principal a caller's ARN stands for: an assumed-role session
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) is its role
 * (`arn:aws:iam::<account>:role/<role>`); a user or role ARN is itself.
 */
export const principalOf = (callerArn: string): string => {
  const session = /^arn:(aws(?:-[a-z]+)*):sts::([0-9]{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(callerArn);
  return session === null ? callerArn : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
};

/** Whether pulls by `callerArn` in the registry must not update lastRecordedPullTime. */
export const isPullTimeExcluded = (
  state: RegistryState,
  registryId: RegistryId,
  callerArn: string,
): boolean => {
  const principal = principalOf(callerArn);
  return registrySettings(state, registryId).pullTimeUpdateExclusions.some(
    (e) => e.principalArn === principal,
  );
};

const TOKEN = /^excl1\.([0-9]{1,6})$/;

/** Principal ARNs in registration order; the token counts those answered so far (at most 100 exist). */
export const listPullTimeUpdateExclusions = (
  state: RegistryState,
  query: { readonly registryId: RegistryId; readonly maxResults?: number; readonly nextToken?: string },
): E.Either<RegistryError, { pullTimeUpdateExclusions: ReadonlyArray<string>; nextToken?: string }> => {
  const offset = query.nextToken === undefined ? 0 : Number(TOKEN.exec(query.nextToken)?.[1] ?? Number.NaN);
  if (Number.isNaN(offset)) return E.left(invalidToken());
  const all = registrySettings(state, query.registryId).pullTimeUpdateExclusions;
  const end = offset + (query.maxResults ?? 100);
  const page = all.slice(offset, end).map((exclusion) => exclusion.principalArn);
  return E.right(
    end < all.length
      ? { pullTimeUpdateExclusions: page, nextToken: `excl1.${end}` }
      : { pullTimeUpdateExclusions: page },
  );
};
