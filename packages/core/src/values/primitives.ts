/**
 * Branded values of the registry, each an io-ts codec and a type of the same name. Constraints are
 * the ones of the official ECR API model (botocore `data/ecr/2015-09-21/service-2.json`); a test
 * compares them with the model. Decode at the edges; inside the core, values are already branded.
 */
import * as t from "io-ts";

/**
 * A value of type `A` known to satisfy the rule named `B`. The brand is a plain string-keyed
 * property (never present at run time), so every package can name branded types without
 * importing io-ts.
 */
export type Branded<A, B extends string> = A & { readonly __brand: B };

/** An io-ts codec for `Branded<A, B>`: `base`, refined by `predicate`, named `B`. */
export const brand = <A, B extends string>(
  base: t.Type<A, A, unknown>,
  predicate: (a: A) => boolean,
  name: B,
): t.Type<Branded<A, B>, A, unknown> =>
  new t.Type<Branded<A, B>, A, unknown>(
    name,
    (u): u is Branded<A, B> => base.is(u) && predicate(u),
    (u, c) => {
      const validated = base.validate(u, c);
      if (validated._tag === "Left") return validated;
      return predicate(validated.right) ? t.success(validated.right as Branded<A, B>) : t.failure(u, c);
    },
    (a) => a,
  );

const matching = (pattern: RegExp) => (s: string) => pattern.test(s);
const lengthBetween = (min: number, max: number) => (s: string) => s.length >= min && s.length <= max;

/**
 * A registry: an AWS account id (12 digits), which is the registry of the default region, or a
 * registry key `<account>/<region>` for another region (values/registry-key.ts).
 */
export const RegistryId = brand(
  t.string,
  (s: string) => /^[0-9]{12}(\/[a-z]{2}(-[a-z]+)+-[0-9]{1,2})?$/.test(s),
  "RegistryId",
);
export type RegistryId = t.TypeOf<typeof RegistryId>;

/** An AWS account id as requests carry it (`registryId` on the wire): exactly 12 digits. */
export const AccountId = new t.Type<RegistryId, string, unknown>(
  "RegistryId",
  (u): u is RegistryId => typeof u === "string" && /^[0-9]{12}$/.test(u),
  (u, c) => (typeof u === "string" && /^[0-9]{12}$/.test(u) ? t.success(u as RegistryId) : t.failure(u, c)),
  (a) => a,
);

export const REPOSITORY_NAME_PATTERN =
  /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
/** 2–256 characters: lowercase path components separated by `/`. */
export const RepositoryName = brand(
  t.string,
  (s: string) => lengthBetween(2, 256)(s) && matching(REPOSITORY_NAME_PATTERN)(s),
  "RepositoryName",
);
export type RepositoryName = t.TypeOf<typeof RepositoryName>;

/** 1–300 characters (the model sets no pattern). */
export const ImageTag = brand(t.string, (s: string) => lengthBetween(1, 300)(s), "ImageTag");
export type ImageTag = t.TypeOf<typeof ImageTag>;

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/**
 * A content digest as Berth stores it: `sha256:` and 64 lowercase hex digits. The ECR model's
 * LayerDigest pattern (`[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`) is wider; requests are checked against it
 * and then against this, so a well-formed but unsupported digest gets its own clear error.
 */
export const Digest = brand(t.string, (s: string) => DIGEST_PATTERN.test(s), "Digest");
export type Digest = t.TypeOf<typeof Digest>;

/** The ECR model's LayerDigest pattern. */
export const LAYER_DIGEST_PATTERN = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;

export const UPLOAD_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A uuid naming one layer upload session. */
export const UploadId = brand(t.string, (s: string) => UPLOAD_ID_PATTERN.test(s), "UploadId");
export type UploadId = t.TypeOf<typeof UploadId>;

/** `type/subtype` with optional parameters (RFC 6838 restricted names); at most 255 characters. */
export const MediaType = brand(
  t.string,
  (s: string) =>
    s.length <= 255 &&
    /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/.test(s),
  "MediaType",
);
export type MediaType = t.TypeOf<typeof MediaType>;

/** A byte position or length: a non-negative safe integer (the model's PartSize, a long ≥ 0). */
export const ByteOffset = brand(t.number, (n: number) => Number.isSafeInteger(n) && n >= 0, "ByteOffset");
export type ByteOffset = t.TypeOf<typeof ByteOffset>;

/** A point in time as epoch milliseconds; it reaches the core inside commands, never from a clock. */
export const Timestamp = brand(t.number, (n: number) => Number.isSafeInteger(n) && n >= 0, "Timestamp");
export type Timestamp = t.TypeOf<typeof Timestamp>;

export const ImageTagMutability = t.keyof({
  MUTABLE: null,
  IMMUTABLE: null,
  IMMUTABLE_WITH_EXCLUSION: null,
  MUTABLE_WITH_EXCLUSION: null,
});
export type ImageTagMutability = t.TypeOf<typeof ImageTagMutability>;

export const TagStatus = t.keyof({ TAGGED: null, UNTAGGED: null, ANY: null });
export type TagStatus = t.TypeOf<typeof TagStatus>;
/** An image's status: ACTIVE, ARCHIVED (listed, not pullable), ACTIVATING (being restored). */
export const ImageStatus = t.keyof({ ACTIVE: null, ARCHIVED: null, ACTIVATING: null });
export type ImageStatus = t.TypeOf<typeof ImageStatus>;
/** DescribeImages' and ListImages' filter on image status; without one, ECR lists ACTIVE images only. */
export const ImageStatusFilter = t.keyof({ ACTIVE: null, ARCHIVED: null, ACTIVATING: null, ANY: null });
export type ImageStatusFilter = t.TypeOf<typeof ImageStatusFilter>;
/** ECR's storage classes of an image (UpdateImageStorageClass's target): ARCHIVE is not pullable. */
export const ImageStorageClass = t.keyof({ STANDARD: null, ARCHIVE: null });
export type ImageStorageClass = t.TypeOf<typeof ImageStorageClass>;

/** Documented ECR limits for resource tags (the model leaves TagKey and TagValue unconstrained). */
export const RESOURCE_TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

/**
 * A resource tag as ECR spells it on the wire: `Key` and `Value`. Their lengths are a rule of the
 * core (InvalidTagParameterException), not of the value: see `RESOURCE_TAG_LIMITS`.
 */
export const ResourceTag = t.type({ Key: t.string, Value: t.string });
export type ResourceTag = t.TypeOf<typeof ResourceTag>;

/** Repository and registry policies: at most 10,240 characters (RepositoryPolicyText). */
export const POLICY_TEXT_MAX_LENGTH = 10_240;
/** ImageManifest: 1–4,194,304 characters. */
export const IMAGE_MANIFEST_MAX_LENGTH = 4_194_304;
/** LayerPartBlob: at most 20,971,520 bytes. */
export const LAYER_PART_MAX_BYTES = 20_971_520;
/** CompleteLayerUpload refuses a non-final part below this (ECR's 5 MiB rule). */
export const LAYER_PART_MIN_BYTES = 5 * 1024 * 1024;

/** A tag pattern exempt from the repository's mutability setting (`*` matches any run of characters). */
export const ImageTagMutabilityExclusionFilter = t.type({
  filterType: t.literal("WILDCARD"),
  filter: t.refinement(
    t.string,
    matching(/^[0-9a-zA-Z._*-]{1,128}$/),
    "ImageTagMutabilityExclusionFilterValue",
  ),
});
export type ImageTagMutabilityExclusionFilter = t.TypeOf<typeof ImageTagMutabilityExclusionFilter>;

export const EncryptionType = t.keyof({ AES256: null, KMS: null, KMS_DSSE: null });
export type EncryptionType = t.TypeOf<typeof EncryptionType>;
