/**
 * fast-check arbitraries for Berth: branded values, layer blobs with their real sha256, manifests
 * (Docker v2 and OCI image manifests, manifest lists and OCI indexes) serialized in unusual but valid
 * ways, and command sequences over small pools of names, tags and blobs, so that commands collide.
 *
 * Also the deterministic builders the arbitraries map over (`layerBlobOf`, `imageManifestOf`,
 * `registryCommands`…), for example-based tests. Digests here are computed with node:crypto, never
 * with the core's own sha256, so a test comparing the two compares independent implementations.
 */
import { createHash } from "node:crypto";
import {
  type BerthCommand,
  ByteOffset,
  type CompleteLayerUpload,
  type CreateRepository,
  type DeleteImages,
  type DeleteRepository,
  Digest,
  type ImageIdentifier,
  ImageTag,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  type InitiateLayerUpload,
  MediaType,
  MediaTypes,
  type MountLayer,
  type PutImage,
  type PutImageTagMutability,
  RegistryId,
  RepositoryName,
  Timestamp,
  UploadId,
  type UploadLayerPart,
  type UploadRules,
} from "@berth/core";
import fc, { type Arbitrary } from "fast-check";

// ---------------------------------------------------------------------------------------------------
// Branding

/** What `branded` needs of a codec: io-ts codecs (`RepositoryName`, `Digest`…) all fit. */
export interface Refinement<A> {
  readonly name: string;
  readonly is: (value: unknown) => value is A;
}

/**
 * The one way tests and arbitraries make branded values: checks `value` with the codec and throws
 * when it does not pass, so a broken arbitrary fails loudly instead of producing invalid values.
 */
export const branded = <A>(codec: Refinement<A>, value: unknown): A => {
  if (!codec.is(value)) throw new Error(`${JSON.stringify(value)} is not a valid ${codec.name}`);
  return value;
};

// ---------------------------------------------------------------------------------------------------
// Digests and layer blobs

/** `sha256:<hex>` of `content` (a string counts as its UTF-8 bytes), computed with node:crypto. */
export const sha256Digest = (content: Uint8Array | string): Digest =>
  branded(Digest, `sha256:${createHash("sha256").update(content).digest("hex")}`);

/** Layer bytes with what a blob store would measure of them. */
export interface LayerBlob {
  readonly bytes: Uint8Array;
  readonly digest: Digest;
  readonly size: ByteOffset;
}

export const layerBlobOf = (content: Uint8Array | string): LayerBlob => {
  const bytes = typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content;
  return { bytes, digest: sha256Digest(bytes), size: branded(ByteOffset, bytes.length) };
};

/** Concatenated bytes, as a blob store holds an upload's parts. */
export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

export const layerBlobArb = (
  constraints: { minLength?: number; maxLength?: number } = {},
): Arbitrary<LayerBlob> =>
  fc
    .uint8Array({
      minLength: Math.max(1, constraints.minLength ?? 1),
      maxLength: constraints.maxLength ?? 64,
    })
    .map(layerBlobOf);

/** Blobs with distinct digests. */
export const layerBlobsArb = (
  constraints: { minLength?: number; maxLength?: number; blobMaxLength?: number } = {},
): Arbitrary<LayerBlob[]> =>
  fc.uniqueArray(layerBlobArb({ maxLength: constraints.blobMaxLength ?? 64 }), {
    minLength: constraints.minLength ?? 1,
    maxLength: constraints.maxLength ?? 4,
    selector: (blob) => blob.digest,
  });

/** Cuts `bytes` at the given offsets (clamped, deduplicated) into non-empty parts. */
export const splitBytes = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((cut) => Math.min(Math.max(cut, 1), bytes.length - 1)))]
    .filter((cut) => cut > 0 && cut < bytes.length)
    .sort((a, b) => a - b);
  const bounds = [0, ...points, bytes.length];
  return bounds.slice(1).map((end, i) => bytes.subarray(bounds[i]!, end));
};

/** `bytes` cut into 1 to `maxParts` non-empty parts. */
export const partsArb = (bytes: Uint8Array, maxParts = 4): Arbitrary<Uint8Array[]> =>
  bytes.length <= 1
    ? fc.constant([bytes])
    : fc
        .array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: maxParts - 1 })
        .map((cuts) => splitBytes(bytes, cuts));

// ---------------------------------------------------------------------------------------------------
// Values

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
  const hex = createHash("sha256").update(seed).digest("hex");
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

// ---------------------------------------------------------------------------------------------------
// Manifests

const mediaType = (value: string): MediaType => branded(MediaType, value);

export const LayerMediaTypes = {
  dockerConfig: mediaType("application/vnd.docker.container.image.v1+json"),
  dockerLayer: mediaType("application/vnd.docker.image.rootfs.diff.tar.gzip"),
  ociConfig: mediaType("application/vnd.oci.image.config.v1+json"),
  ociLayer: mediaType("application/vnd.oci.image.layer.v1.tar+gzip"),
} as const;

/** A blob a manifest can reference: a `LayerBlob` fits. */
export interface BlobRef {
  readonly digest: Digest;
  readonly size: number;
}

/**
 * How a manifest is written. The same content written two ways has two digests: registries store
 * the bytes as sent, so all of these must round-trip exactly.
 */
export interface ManifestStyle {
  /** JSON.stringify's `space`. */
  readonly space: 0 | 1 | 2 | 3 | "\t";
  /** Seeds the order of keys in every object (0 keeps the conventional order). */
  readonly keyOrderSeed: number;
  readonly leadingWhitespace: string;
  readonly trailingWhitespace: string;
  /** Writes every non-ASCII code unit as a `\uXXXX` escape. */
  readonly escapeNonAscii: boolean;
  /** Writes lone surrogates raw instead of escaped (JSON.parse accepts either). */
  readonly rawLoneSurrogates: boolean;
  /** Extra annotations, unicode welcome; values must not contain backslashes. */
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

export const CONVENTIONAL_STYLE: ManifestStyle = {
  space: 3,
  keyOrderSeed: 0,
  leadingWhitespace: "",
  trailingWhitespace: "",
  escapeNonAscii: false,
  rawLoneSurrogates: false,
  annotations: undefined,
};

/** Annotation text: graphemes, astral code points and lone surrogates, no backslashes. */
const annotationTextArb = (): Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 4 }),
        fc.string({ unit: "binary", maxLength: 3 }),
        fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
        fc.constantFrom("é", "ß", "日本", "🐳", "\u0000", "\u2028", '"quoted"', "\t"),
      ),
      { maxLength: 4 },
    )
    .map((pieces) => pieces.join("").replace(/\\/g, "/"));

/**
 * Random ways to write a manifest. With `unicode: false`, annotations stay ASCII (cheaper to
 * generate, for histories where the bytes matter less than the collisions).
 */
export const manifestStyleArb = (constraints: { unicode?: boolean } = {}): Arbitrary<ManifestStyle> =>
  fc.record({
    space: fc.constantFrom<ManifestStyle["space"]>(0, 1, 2, 3, "\t"),
    keyOrderSeed: fc.oneof(fc.constant(0), fc.nat()),
    leadingWhitespace: fc.constantFrom("", " ", "\n", "\r\n\t "),
    trailingWhitespace: fc.constantFrom("", "\n", "  \n", "\t"),
    escapeNonAscii: fc.boolean(),
    rawLoneSurrogates: fc.boolean(),
    annotations: fc.option(
      fc.dictionary(
        fc.constantFrom("org.opencontainers.image.title", "com.example.ünïcode", "a", "z"),
        constraints.unicode === false
          ? fc.string({ unit: fc.constantFrom(..."abc-é 1"), maxLength: 6 })
          : annotationTextArb(),
        { minKeys: 1, maxKeys: 3 },
      ),
      { nil: undefined },
    ),
  });

/** A permutation of `keys` drawn from `seed` (a small linear congruential generator). */
const permute = (keys: string[], seed: number): string[] => {
  if (seed === 0) return keys;
  const out = [...keys];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

const reorderKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((item, i) => reorderKeys(item, seed + i + 1));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of permute(Object.keys(record), seed)) out[key] = reorderKeys(record[key], seed * 31 + 7);
  return out;
};

/** Writes `value` as JSON in `style`. */
export const writeJson = (value: unknown, style: ManifestStyle = CONVENTIONAL_STYLE): string => {
  let text = JSON.stringify(reorderKeys(value, style.keyOrderSeed), null, style.space);
  if (style.rawLoneSurrogates) {
    // Lone surrogates are the only thing JSON.stringify escapes as \udXXX (no backslash elsewhere).
    text = text.replace(/\\u(d[89a-f][0-9a-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
  if (style.escapeNonAscii) {
    text = text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  return style.leadingWhitespace + text + style.trailingWhitespace;
};

/** A manifest as a client sends it, with what a registry should make of it (computed independently). */
export interface ManifestDraft {
  readonly manifest: string;
  /** sha256 of the manifest's UTF-8 bytes, by node:crypto. */
  readonly digest: Digest;
  readonly mediaType: MediaType;
  /** Whether the manifest names its media type itself (else PutImage must declare it). */
  readonly mediaTypeInManifest: boolean;
  readonly kind: "image" | "index";
  /** Config and layers: what the repository must hold. */
  readonly blobs: ReadonlyArray<Digest>;
  /** Manifests an index references. */
  readonly children: ReadonlyArray<Digest>;
  /** ECR's imageSizeInBytes: the layers' sizes (an index: its manifests' sizes). */
  readonly imageSizeInBytes: number;
  /** ECR's artifactMediaType: the config's media type (none for an index). */
  readonly artifactMediaType: MediaType | undefined;
  /** UTF-8 length of the manifest: its size when an index references it. */
  readonly byteLength: number;
  /** The manifest this one refers to (OCI `subject`): it is then one of that manifest's referrers. */
  readonly subject?: Digest;
}

export type ManifestFormat = "docker" | "oci";

export interface ManifestOptions {
  readonly format?: ManifestFormat;
  readonly style?: ManifestStyle;
  /** Leave out the manifest's own `mediaType` field (OCI allows that). */
  readonly omitMediaType?: boolean;
  /** Make the manifest a referrer of `subject` (OCI 1.1). */
  readonly subject?: Pick<ManifestDraft, "digest" | "mediaType" | "byteLength">;
}

const subjectField = (subject: ManifestOptions["subject"]) =>
  subject === undefined
    ? {}
    : { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.byteLength } };

const draftOf = (
  manifest: string,
  fields: Omit<ManifestDraft, "manifest" | "digest" | "byteLength">,
): ManifestDraft => ({
  manifest,
  digest: sha256Digest(manifest),
  byteLength: Buffer.byteLength(manifest, "utf8"),
  ...fields,
});

/** A Docker v2 schema 2 or OCI image manifest referencing `config` and `layers`. */
export const imageManifestOf = (
  config: BlobRef,
  layers: ReadonlyArray<BlobRef>,
  options: ManifestOptions = {},
): ManifestDraft => {
  const format = options.format ?? "oci";
  const style = options.style ?? CONVENTIONAL_STYLE;
  const type = format === "oci" ? MediaTypes.ociManifest : MediaTypes.dockerManifest;
  const configType = format === "oci" ? LayerMediaTypes.ociConfig : LayerMediaTypes.dockerConfig;
  const layerType = format === "oci" ? LayerMediaTypes.ociLayer : LayerMediaTypes.dockerLayer;
  const json = {
    schemaVersion: 2,
    ...(options.omitMediaType === true ? {} : { mediaType: type }),
    config: { mediaType: configType, digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: layerType, digest: layer.digest, size: layer.size })),
    ...subjectField(options.subject),
    ...(style.annotations === undefined ? {} : { annotations: style.annotations }),
  };
  return draftOf(writeJson(json, style), {
    mediaType: mediaType(type),
    mediaTypeInManifest: options.omitMediaType !== true,
    kind: "image",
    blobs: [config.digest, ...layers.map((layer) => layer.digest)],
    children: [],
    imageSizeInBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
    artifactMediaType: configType,
    ...(options.subject === undefined ? {} : { subject: options.subject.digest }),
  });
};

/** A Docker manifest list (format "docker") or OCI image index referencing `children`. */
export const indexManifestOf = (
  children: ReadonlyArray<Pick<ManifestDraft, "digest" | "mediaType" | "byteLength">>,
  options: ManifestOptions = {},
): ManifestDraft => {
  const format = options.format ?? "oci";
  const style = options.style ?? CONVENTIONAL_STYLE;
  const type = format === "oci" ? MediaTypes.ociIndex : MediaTypes.dockerManifestList;
  const json = {
    schemaVersion: 2,
    ...(options.omitMediaType === true ? {} : { mediaType: type }),
    manifests: children.map((child, i) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.byteLength,
      platform: { architecture: ["amd64", "arm64", "s390x"][i % 3], os: "linux" },
    })),
    ...(style.annotations === undefined ? {} : { annotations: style.annotations }),
  };
  return draftOf(writeJson(json, style), {
    mediaType: mediaType(type),
    mediaTypeInManifest: options.omitMediaType !== true,
    kind: "index",
    blobs: [],
    children: children.map((child) => child.digest),
    imageSizeInBytes: children.reduce((sum, child) => sum + child.byteLength, 0),
    artifactMediaType: undefined,
  });
};

export const manifestFormatArb = (): Arbitrary<ManifestFormat> => fc.constantFrom("docker", "oci");

/** Image manifests over exactly these blobs, in every format and style. */
export const imageManifestArb = (
  config: BlobRef,
  layers: ReadonlyArray<BlobRef>,
  style: Arbitrary<ManifestStyle> = manifestStyleArb(),
): Arbitrary<ManifestDraft> =>
  fc
    .record({ format: manifestFormatArb(), style })
    .map((options) => imageManifestOf(config, layers, options));

/** Indexes over exactly these manifests, in every format and style. */
export const indexManifestArb = (
  children: ReadonlyArray<Pick<ManifestDraft, "digest" | "mediaType" | "byteLength">>,
  style: Arbitrary<ManifestStyle> = manifestStyleArb(),
): Arbitrary<ManifestDraft> =>
  fc.record({ format: manifestFormatArb(), style }).map((options) => indexManifestOf(children, options));

/** An image manifest over some of `blobs` (one as config, a subset as layers). */
export const imageManifestOverArb = (
  blobs: ReadonlyArray<BlobRef>,
  style: Arbitrary<ManifestStyle> = manifestStyleArb(),
): Arbitrary<ManifestDraft> =>
  fc
    .tuple(fc.constantFrom(...blobs), fc.subarray([...blobs]))
    .chain(([config, layers]) => imageManifestArb(config, layers, style));

// ---------------------------------------------------------------------------------------------------
// Commands, one at a time (for examples)

/** A timestamp for examples: 2023-11-14T22:13:20Z. */
export const EXAMPLE_TIME = branded(Timestamp, 1_700_000_000_000);

/** Builds commands of one registry, with default timestamps and derived upload ids. */
export const registryCommands = (registryId: RegistryId, at: Timestamp = EXAMPLE_TIME) => {
  const ref = (name: RepositoryName) => ({ registryId, repositoryName: name });
  return {
    registryId,
    createRepository: (
      name: RepositoryName,
      options: Partial<Omit<CreateRepository["data"], "registryId" | "repositoryName">> = {},
    ): CreateRepository => ({ type: "CreateRepository", data: { ...ref(name), createdAt: at, ...options } }),
    deleteRepository: (name: RepositoryName, force?: boolean): DeleteRepository => ({
      type: "DeleteRepository",
      data: { ...ref(name), deletedAt: at, ...(force === undefined ? {} : { force }) },
    }),
    putImageTagMutability: (name: RepositoryName, setting: TagMutabilitySetting): PutImageTagMutability => ({
      type: "PutImageTagMutability",
      data: { ...ref(name), ...setting },
    }),
    initiateLayerUpload: (name: RepositoryName, uploadId: UploadId): InitiateLayerUpload => ({
      type: "InitiateLayerUpload",
      data: { ...ref(name), uploadId, initiatedAt: at },
    }),
    /** A part of `length` bytes starting at `first`, declared honestly unless `lastByte` says otherwise. */
    uploadLayerPart: (
      name: RepositoryName,
      uploadId: UploadId,
      first: number,
      length: number,
      lastByte: number = first + length - 1,
    ): UploadLayerPart => ({
      type: "UploadLayerPart",
      data: {
        ...ref(name),
        uploadId,
        partFirstByte: branded(ByteOffset, first),
        partLastByte: branded(ByteOffset, lastByte),
        partLength: branded(ByteOffset, length),
      },
    }),
    /** Completes with what a blob store measured of `received`, declaring `declared` (default: its digest). */
    completeLayerUpload: (
      name: RepositoryName,
      uploadId: UploadId,
      received: Pick<LayerBlob, "digest" | "size">,
      options: { declared?: string; layerDigests?: ReadonlyArray<string>; rules?: UploadRules } = {},
    ): CompleteLayerUpload => ({
      type: "CompleteLayerUpload",
      data: {
        ...ref(name),
        uploadId,
        layerDigests: options.layerDigests ?? [options.declared ?? received.digest],
        received: { digest: received.digest, size: received.size },
        rules: options.rules ?? "ecr",
        completedAt: at,
      },
    }),
    /** Initiate, one part, complete: the whole upload of `blob`. */
    uploadLayer: (
      name: RepositoryName,
      blob: LayerBlob,
      uploadId: UploadId = uploadIdFrom(`${registryId}/${name}@${blob.digest}`),
    ): BerthCommand[] => [
      {
        type: "InitiateLayerUpload",
        data: { ...ref(name), uploadId, initiatedAt: at },
      },
      {
        type: "UploadLayerPart",
        data: {
          ...ref(name),
          uploadId,
          partFirstByte: branded(ByteOffset, 0),
          partLastByte: branded(ByteOffset, blob.size - 1),
          partLength: blob.size,
        },
      },
      {
        type: "CompleteLayerUpload",
        data: {
          ...ref(name),
          uploadId,
          layerDigests: [blob.digest],
          received: { digest: blob.digest, size: blob.size },
          rules: "ecr",
          completedAt: at,
        },
      },
    ],
    putImage: (
      name: RepositoryName,
      manifest: string | ManifestDraft,
      options: { tag?: string; digest?: string; mediaType?: string; pushedAt?: Timestamp } = {},
    ): PutImage => ({
      type: "PutImage",
      data: {
        ...ref(name),
        imageManifest: typeof manifest === "string" ? manifest : manifest.manifest,
        ...(options.tag === undefined ? {} : { imageTag: branded(ImageTag, options.tag) }),
        ...(options.digest === undefined ? {} : { imageDigest: options.digest }),
        ...(options.mediaType === undefined
          ? {}
          : { imageManifestMediaType: branded(MediaType, options.mediaType) }),
        pushedAt: options.pushedAt ?? at,
      },
    }),
    deleteImages: (name: RepositoryName, imageIds: ReadonlyArray<ImageIdentifier>): DeleteImages => ({
      type: "DeleteImages",
      data: { ...ref(name), imageIds },
    }),
    mountLayer: (name: RepositoryName, from: RepositoryName, layerDigest: Digest): MountLayer => ({
      type: "MountLayer",
      data: { ...ref(name), layerDigest, fromRepository: from, mountedAt: at },
    }),
    setRepositoryPolicy: (name: RepositoryName, policyText: string): BerthCommand => ({
      type: "SetRepositoryPolicy",
      data: { ...ref(name), policyText },
    }),
    deleteRepositoryPolicy: (name: RepositoryName): BerthCommand => ({
      type: "DeleteRepositoryPolicy",
      data: ref(name),
    }),
    putRegistryPolicy: (policyText: string): BerthCommand => ({
      type: "PutRegistryPolicy",
      data: { registryId, policyText },
    }),
    deleteRegistryPolicy: (): BerthCommand => ({ type: "DeleteRegistryPolicy", data: { registryId } }),
    putRegistrySettings: (lenient: boolean): BerthCommand => ({
      type: "PutRegistrySettings",
      data: { registryId, lenient },
    }),
    tagResource: (
      name: RepositoryName,
      tags: ReadonlyArray<{ Key: string; Value: string }>,
    ): BerthCommand => ({
      type: "TagResource",
      data: { ...ref(name), tags },
    }),
    untagResource: (name: RepositoryName, tagKeys: ReadonlyArray<string>): BerthCommand => ({
      type: "UntagResource",
      data: { ...ref(name), tagKeys },
    }),
    discardLayerUpload: (name: RepositoryName, uploadId: UploadId, reason = "cancelled"): BerthCommand => ({
      type: "DiscardLayerUpload",
      data: { ...ref(name), uploadId, reason },
    }),
  };
};

export type RegistryCommands = ReturnType<typeof registryCommands>;

// ---------------------------------------------------------------------------------------------------
// Command sequences over small pools

/** Small pools that random commands draw from, so that they name the same things and collide. */
export interface RegistryPools {
  readonly registryId: RegistryId;
  readonly repositoryNames: ReadonlyArray<RepositoryName>;
  readonly imageTags: ReadonlyArray<ImageTag>;
  readonly blobs: ReadonlyArray<LayerBlob>;
  /** Image manifests over `blobs`, then indexes over some of those images. */
  readonly manifests: ReadonlyArray<ManifestDraft>;
}

export interface RegistryPoolsConstraints {
  readonly maxRepositories?: number;
  readonly maxTags?: number;
  readonly maxBlobs?: number;
  readonly maxImages?: number;
  readonly maxIndexes?: number;
  /** OCI referrers: image manifests whose `subject` is another manifest of the pool. */
  readonly maxReferrers?: number;
}

/** Tags that exclusion filters in `EXCLUSION_FILTER_POOL` match in interesting ways. */
export const TAG_POOL = ["latest", "v1", "v2", "dev-1", "1.0-dev", "release-3", "1.2.3", "stable"] as const;

export const registryPoolsArb = (constraints: RegistryPoolsConstraints = {}): Arbitrary<RegistryPools> =>
  fc
    .record({
      registryId: registryIdArb(),
      repositoryNames: fc.uniqueArray(repositoryNameArb({ maxLength: 40 }), {
        minLength: 1,
        maxLength: constraints.maxRepositories ?? 2,
      }),
      imageTags: fc.uniqueArray(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...TAG_POOL).map((tag) => branded(ImageTag, tag)) },
          { weight: 1, arbitrary: imageTagArb() },
        ),
        { minLength: 1, maxLength: constraints.maxTags ?? 4 },
      ),
      blobs: layerBlobsArb({ minLength: 1, maxLength: constraints.maxBlobs ?? 3, blobMaxLength: 24 }),
    })
    .chain((pools) =>
      fc
        .array(imageManifestOverArb(pools.blobs, manifestStyleArb({ unicode: false })), {
          minLength: 1,
          maxLength: constraints.maxImages ?? 4,
        })
        .chain((images) => {
          const unique = [...new Map(images.map((image) => [image.digest, image])).values()];
          return fc
            .array(
              fc
                .subarray(unique, { minLength: 1, maxLength: Math.min(2, unique.length) })
                .chain((children) => indexManifestArb(children, manifestStyleArb({ unicode: false }))),
              { maxLength: constraints.maxIndexes ?? 1 },
            )
            .chain((indexes) =>
              fc
                .array(
                  fc
                    .tuple(
                      fc.constantFrom(...unique, ...indexes),
                      fc.constantFrom(...pools.blobs),
                      fc.nat({ max: 9 }),
                    )
                    .map(([subject, config, n]) =>
                      imageManifestOf(config, [], {
                        subject,
                        style: {
                          ...CONVENTIONAL_STYLE,
                          space: 0,
                          annotations: { "org.example.referrer": String(n) },
                        },
                      }),
                    ),
                  { maxLength: constraints.maxReferrers ?? 1 },
                )
                .map((referrers) => ({
                  ...pools,
                  manifests: [
                    ...new Map([...unique, ...indexes, ...referrers].map((m) => [m.digest, m])).values(),
                  ],
                })),
            );
        }),
    );

const policyTextArb = (): Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('{"Version":"2012-10-17","Statement":[]}') },
    { weight: 1, arbitrary: fc.constantFrom("not json", "[]", "null", "42", "") },
  );

/** An image id for BatchDeleteImage/DescribeImages: by tag, digest, both (matching or not), or broken. */
export const imageIdentifierArb = (pools: RegistryPools): Arbitrary<ImageIdentifier> => {
  const tag = fc.constantFrom(...pools.imageTags);
  const digest = fc.constantFrom(...pools.manifests.map((m) => m.digest));
  return fc.oneof(
    { weight: 4, arbitrary: tag.map((imageTag) => ({ imageTag })) },
    { weight: 4, arbitrary: digest.map((imageDigest) => ({ imageDigest })) },
    { weight: 3, arbitrary: fc.record({ imageTag: tag, imageDigest: digest }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ImageIdentifier>(
        {},
        { imageDigest: "sha256:abc" },
        { imageTag: "" },
        { imageTag: "x".repeat(301) },
      ),
    },
  );
};

/**
 * One step of a random history: usually one command, sometimes a whole layer upload (initiate,
 * parts, complete) so that layers actually arrive and images can be pushed.
 */
export const registryStepArb = (pools: RegistryPools): Arbitrary<BerthCommand[]> => {
  const c = registryCommands(pools.registryId);
  const name = fc.constantFrom(...pools.repositoryNames);
  const tag = fc.constantFrom(...pools.imageTags);
  const blob = fc.constantFrom(...pools.blobs);
  const manifest = fc.constantFrom(...pools.manifests);
  const single = (arb: Arbitrary<BerthCommand>) => arb.map((command) => [command]);
  const upload = fc
    .record({
      name,
      blob,
      uploadId: uploadIdArb(),
      cuts: fc.array(fc.nat(), { maxLength: 2 }),
      declared: fc.oneof(
        { weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: digestArb() },
      ),
      rules: fc.constantFrom<UploadRules>("ecr", "oci"),
    })
    .map(({ name, blob, uploadId, cuts, declared, rules }) => {
      const parts = splitBytes(blob.bytes, cuts);
      let at = 0;
      const partCommands = parts.map((part) => {
        const command = c.uploadLayerPart(name, uploadId, at, part.length);
        at += part.length;
        return command;
      });
      return [
        c.initiateLayerUpload(name, uploadId),
        ...partCommands,
        c.completeLayerUpload(name, uploadId, blob, {
          ...(declared === undefined ? {} : { declared }),
          rules,
        }),
      ];
    });
  return fc.oneof(
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, tagMutabilityArb()).map(([n, m]) => c.createRepository(n, m))),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, fc.boolean()).map(([n, force]) => c.deleteRepository(n, force))),
    },
    { weight: 2, arbitrary: upload },
    {
      weight: 12,
      arbitrary: single(
        fc
          .record({
            name,
            manifest,
            tag: fc.option(tag, { nil: undefined }),
            digest: fc.oneof(
              { weight: 6, arbitrary: fc.constant<"none" | "right" | "wrong">("none") },
              { weight: 1, arbitrary: fc.constantFrom<"none" | "right" | "wrong">("right", "wrong") },
            ),
            pushedAt: timestampArb(),
          })
          .map(({ name, manifest, tag, digest, pushedAt }) =>
            c.putImage(name, manifest, {
              ...(tag === undefined ? {} : { tag }),
              ...(digest === "none"
                ? {}
                : { digest: digest === "right" ? manifest.digest : sha256Digest(`${manifest.manifest} `) }),
              pushedAt,
            }),
          ),
      ),
    },
    {
      weight: 4,
      arbitrary: single(
        fc
          .tuple(name, fc.array(imageIdentifierArb(pools), { minLength: 1, maxLength: 3 }))
          .map(([n, ids]) => c.deleteImages(n, ids)),
      ),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, tagMutabilityArb()).map(([n, m]) => c.putImageTagMutability(n, m))),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, name, blob).map(([n, from, b]) => c.mountLayer(n, from, b.digest))),
    },
    {
      weight: 1,
      arbitrary: single(
        fc.oneof(
          fc.tuple(name, policyTextArb()).map(([n, text]) => c.setRepositoryPolicy(n, text)),
          name.map((n) => c.deleteRepositoryPolicy(n)),
          policyTextArb().map((text) => c.putRegistryPolicy(text)),
          fc.constant(c.deleteRegistryPolicy()),
          fc
            .tuple(name, fc.constantFrom("team", "aws:reserved", "env"))
            .map(([n, key]) => c.tagResource(n, [{ Key: key, Value: "x" }])),
          fc
            .tuple(name, fc.constantFrom("team", "aws:reserved"))
            .map(([n, key]) => c.untagResource(n, [key])),
          fc.tuple(name, uploadIdArb()).map(([n, id]) => c.discardLayerUpload(n, id)),
        ),
      ),
    },
    { weight: 1, arbitrary: single(fc.boolean().map((lenient) => c.putRegistrySettings(lenient))) },
  );
};

/**
 * A random history: when `prelude` (the default), it starts by creating every repository of the pools
 * and uploading every blob into each, so that the random steps after it find something to work on.
 */
export const registryCommandsArb = (
  pools: RegistryPools,
  constraints: { maxSteps?: number; prelude?: boolean } = {},
): Arbitrary<BerthCommand[]> => {
  const c = registryCommands(pools.registryId);
  const maxSteps = constraints.maxSteps ?? 30;
  const prelude: Arbitrary<BerthCommand[]> =
    constraints.prelude === false
      ? fc.constant([])
      : fc
          .tuple(...pools.repositoryNames.map(() => fc.oneof(fc.constant({}), tagMutabilityArb())))
          .map((settings) =>
            pools.repositoryNames.flatMap((name, i) => [
              c.createRepository(name, settings[i] ?? {}),
              ...pools.blobs.flatMap((blob) => c.uploadLayer(name, blob)),
            ]),
          );
  return fc
    .tuple(
      prelude,
      fc.array(registryStepArb(pools), { minLength: Math.floor(maxSteps / 3), maxLength: maxSteps }),
    )
    .map(([commands, steps]) => [...commands, ...steps.flat()]);
};

/** Pools and a history over them. */
export const registryScenarioArb = (
  constraints: RegistryPoolsConstraints & { maxSteps?: number; prelude?: boolean } = {},
): Arbitrary<{ pools: RegistryPools; commands: BerthCommand[] }> =>
  registryPoolsArb(constraints).chain((pools) =>
    registryCommandsArb(pools, constraints).map((commands) => ({ pools, commands })),
  );
