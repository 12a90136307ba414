/**
 * ECR pagination: `maxResults` 1–1000 (default 100) and an opaque `nextToken`. Tokens name a
 * position (an image's push sequence, a repository name), not an offset, so a token stays valid
 * while the collection changes. An image page costs O(log n + page); a repository page sorts the
 * registry's names (repositories are few next to images).
 */
import * as E from "fp-ts/lib/Either.js";
import { type InvalidParameterException, RegistryErrors } from "./registry-errors.js";

export const DEFAULT_MAX_RESULTS = 100;

export interface PageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export const pageSize = (request: PageRequest): number => request.maxResults ?? DEFAULT_MAX_RESULTS;

export const invalidToken = (): InvalidParameterException =>
  RegistryErrors.invalidParameter(
    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
  );

/** A position in push order: the image with sequence `seq`, starting at its `offset`-th id. */
export interface ImagePosition {
  readonly seq: number;
  readonly offset: number;
}

const IMAGE_TOKEN = /^img1\.([0-9]{1,15})\.([0-9]{1,15})$/;
const REPOSITORY_TOKEN = /^repo1\.(.{2,256})$/;

export const encodeImageToken = (position: ImagePosition): string =>
  `img1.${position.seq}.${position.offset}`;

export const decodeImageToken = (
  token: string | undefined,
): E.Either<InvalidParameterException, ImagePosition> => {
  if (token === undefined) return E.right({ seq: 0, offset: 0 });
  const match = IMAGE_TOKEN.exec(token);
  return match === null
    ? E.left(invalidToken())
    : E.right({ seq: Number(match[1]), offset: Number(match[2]) });
};

export const encodeRepositoryToken = (lastName: string): string => `repo1.${lastName}`;

/** The name after which the next page starts ("" for the first page). */
export const decodeRepositoryToken = (
  token: string | undefined,
): E.Either<InvalidParameterException, string> => {
  if (token === undefined) return E.right("");
  const match = REPOSITORY_TOKEN.exec(token);
  return match === null ? E.left(invalidToken()) : E.right(match[1]!);
};

/** Index of the first element of an ascending array greater than `value` (binary search). */
export const firstGreaterThan = (sorted: ReadonlyArray<number>, value: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
};
