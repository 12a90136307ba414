/**
 * Manifests as clients write them: Docker v2 and OCI image manifests, manifest lists and OCI
 * indexes, serialized in unusual but valid ways, each with what a registry should make of it.
 */
import { type Digest, MediaType, MediaTypes } from "@berth/core";
import fc, { type Arbitrary } from "fast-check";
import { branded } from "./branded.js";
import { sha256Digest } from "./sha256-digest.js";

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
