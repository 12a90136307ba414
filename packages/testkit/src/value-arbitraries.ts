/** Arbitraries of single registry values: ids, names, tags, digests, times and tag mutability. */
import {
  Digest,
  ImageTag,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  RegistryId,
  RepositoryName,
  Timestamp,
  UploadId,
} from "@berth/core";
import fc, { type Arbitrary } from "fast-check";
import { branded } from "./branded.js";
import { sha256Digest } from "./sha256-digest.js";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const lowerAlnumRun = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...LOWER_ALNUM), minLength, maxLength });

export const registryIdArb = (): Arbitrary<RegistryId> =>
  fc
    .string({ unit: fc.constantFrom(..."0123456789"), minLength: 12, maxLength: 12 })
    .map((s) => branded(RegistryId, s));

/**
 * Repository names valid for ECR's pattern: lowercase path components joined by `/`, each made of
 * alphanumeric runs joined by `.`, `_`, `__` or dashes; 2 to 256 characters in all. About one name
 * in ten is long (200 characters or more).
 */
export const repositoryNameArb = (constraints: { maxLength?: number } = {}): Arbitrary<RepositoryName> => {
  const maxLength = Math.min(constraints.maxLength ?? 256, 256);
  const separator = fc.constantFrom(".", "_", "__", "-", "--", "---");
  const component = fc
    .tuple(lowerAlnumRun(1, 8), fc.array(fc.tuple(separator, lowerAlnumRun(1, 6)), { maxLength: 2 }))
    .map(([head, rest]) => head + rest.map(([sep, run]) => sep + run).join(""));
  const short = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
  const long = fc
    .tuple(lowerAlnumRun(100, 128), fc.constantFrom("/", "-", "."), lowerAlnumRun(100, 127))
    .map(([a, sep, b]) => a + sep + b);
  const name =
    maxLength >= 256 ? fc.oneof({ weight: 9, arbitrary: short }, { weight: 1, arbitrary: long }) : short;
  return name.filter((s) => s.length >= 2 && s.length <= maxLength).map((s) => branded(RepositoryName, s));
};

/** Tags as docker writes them: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const imageTagArb = (): Arbitrary<ImageTag> =>
  fc
    .tuple(
      fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"),
      fc.string({
        unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"),
        maxLength: 20,
      }),
    )
    .map(([head, rest]) => branded(ImageTag, head + rest));

/** Any tag ECR's model accepts: 1 to 300 UTF-16 code units, unicode included. */
export const anyImageTagArb = (): Arbitrary<ImageTag> =>
  fc
    .string({ unit: "grapheme", minLength: 1, maxLength: 300 })
    .filter((s) => s.length >= 1 && s.length <= 300)
    .map((s) => branded(ImageTag, s));

/** A well-formed sha256 digest of nothing in particular. */
export const digestArb = (): Arbitrary<Digest> =>
  fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((bytes) => branded(Digest, `sha256:${Buffer.from(bytes).toString("hex")}`));

export const uploadIdArb = (): Arbitrary<UploadId> => fc.uuid().map((id) => branded(UploadId, id));

/** A deterministic upload id derived from `seed` (a uuid made of the seed's sha256). */
export const uploadIdFrom = (seed: string): UploadId => {
  const hex = sha256Digest(seed).slice("sha256:".length);
  return branded(
    UploadId,
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
  );
};

/** Epoch milliseconds between 2000 and 2100. */
export const timestampArb = (): Arbitrary<Timestamp> =>
  fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }).map((n) => branded(Timestamp, n));

export interface TagMutabilitySetting {
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
}

/** Wildcard filters that match some of the usual tags (`v1`, `latest`, `dev-…`) and miss others. */
export const EXCLUSION_FILTER_POOL = ["v*", "*-dev", "dev-*", "latest", "*", "release-*", "*.*"] as const;

export const exclusionFiltersArb = (): Arbitrary<ImageTagMutabilityExclusionFilter[]> =>
  fc
    .uniqueArray(fc.constantFrom(...EXCLUSION_FILTER_POOL), { minLength: 1, maxLength: 2 })
    .map((filters) => filters.map((filter) => ({ filterType: "WILDCARD" as const, filter })));

export const tagMutabilityArb = (): Arbitrary<TagMutabilitySetting> =>
  fc.oneof(
    fc.constantFrom<TagMutabilitySetting>(
      { imageTagMutability: "MUTABLE" },
      { imageTagMutability: "IMMUTABLE" },
    ),
    fc.record({
      imageTagMutability: fc.constantFrom<ImageTagMutability>(
        "IMMUTABLE_WITH_EXCLUSION",
        "MUTABLE_WITH_EXCLUSION",
      ),
      imageTagMutabilityExclusionFilters: exclusionFiltersArb(),
    }),
  );
