/**
 * Reading the manifests a registry stores: Docker image manifest v2 schema 2 (and schema 1), OCI
 * image manifest, Docker manifest list, OCI image index. The registry needs only what a manifest
 * references (config, layers, child manifests, subject) and its media types; the bytes themselves
 * are stored exactly as sent.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import { type InvalidParameterException, RegistryErrors } from "../kernel/registry-errors.js";
import { ByteOffset, Digest, MediaType } from "./primitives.js";

export const MediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerManifestSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaTypes.dockerManifestList, MediaTypes.ociIndex]);
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaTypes.dockerManifest, MediaTypes.ociManifest]);
const SCHEMA1_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.dockerManifestSchema1,
  MediaTypes.dockerManifestSchema1Signed,
]);

/** Layers a registry is not expected to hold (fetched by clients from their `urls`). */
const isForeignLayer = (mediaType: string) => /foreign|nondistributable/.test(mediaType);

export const Descriptor = t.intersection([
  t.type({ mediaType: MediaType, digest: Digest, size: ByteOffset }),
  t.partial({ artifactType: t.string }),
]);
export type Descriptor = t.TypeOf<typeof Descriptor>;

const ImageManifestShape = t.intersection([
  t.type({ config: Descriptor, layers: t.array(Descriptor) }),
  t.partial({ mediaType: t.string, subject: Descriptor, artifactType: MediaType }),
]);
const IndexShape = t.intersection([
  t.type({ manifests: t.array(Descriptor) }),
  t.partial({ mediaType: t.string, subject: Descriptor, artifactType: MediaType }),
]);
const Schema1Shape = t.type({ fsLayers: t.array(t.type({ blobSum: Digest })) });
const MediaTypeField = t.partial({ mediaType: t.string });

export interface ParsedManifest {
  readonly mediaType: MediaType;
  /** ECR's artifactMediaType: the artifactType, else the config's media type. */
  readonly artifactMediaType: MediaType | undefined;
  /** Blobs the repository must hold: config and (non-foreign) layers. */
  readonly blobs: ReadonlyArray<Digest>;
  /** The media type the manifest gives each of its blobs (schema 1 gives none). */
  readonly blobMediaTypes: Readonly<Record<Digest, MediaType>>;
  /** Sum of the referenced blobs' declared sizes: ECR's imageSizeInBytes. */
  readonly size: number;
  /** Manifests an index references. */
  readonly children: ReadonlyArray<Digest>;
  readonly subject: Digest | undefined;
}

const invalid = (reason: string) =>
  RegistryErrors.invalidParameter(
    `Invalid parameter at 'imageManifest' failed to satisfy constraint: '${reason}'`,
  );

const decodeAs = <A>(codec: t.Decoder<unknown, A>, json: unknown, what: string) =>
  pipe(
    codec.decode(json),
    E.mapLeft(() => invalid(`Invalid ${what}`)),
  );

/**
 * Parses a manifest. The media type comes from the manifest's own `mediaType`, else from
 * `declaredMediaType` (PutImage's imageManifestMediaType); when both are present they must agree.
 */
export const parseManifest = (
  manifest: string,
  declaredMediaType: MediaType | undefined,
): E.Either<InvalidParameterException, ParsedManifest> => {
  let json: unknown;
  try {
    json = JSON.parse(manifest);
  } catch {
    return E.left(invalid("Invalid JSON syntax"));
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return E.left(invalid("Manifest must be a JSON object"));
  }
  const own = MediaTypeField.is(json) ? json.mediaType : undefined;
  if (own !== undefined && declaredMediaType !== undefined && own !== declaredMediaType) {
    return E.left(
      RegistryErrors.invalidParameter(
        `Invalid parameter: the manifest's mediaType '${own}' does not match imageManifestMediaType '${declaredMediaType}'`,
      ),
    );
  }
  const schemaVersion = (json as { schemaVersion?: unknown }).schemaVersion;
  const mediaType =
    own ?? declaredMediaType ?? (schemaVersion === 1 ? MediaTypes.dockerManifestSchema1Signed : undefined);
  if (mediaType === undefined) {
    return E.left(
      RegistryErrors.invalidParameter("image manifest mediatype not provided in manifest or parameter"),
    );
  }
  if (!MediaType.is(mediaType)) return E.left(invalid(`Invalid media type '${mediaType}'`));

  if (INDEX_MEDIA_TYPES.has(mediaType)) {
    return pipe(
      decodeAs(IndexShape, json, "image index"),
      E.map((index) => ({
        mediaType,
        artifactMediaType: index.artifactType,
        blobs: [],
        blobMediaTypes: {},
        size: index.manifests.reduce((sum, d) => sum + d.size, 0),
        children: index.manifests.map((d) => d.digest),
        subject: index.subject?.digest,
      })),
    );
  }
  if (IMAGE_MEDIA_TYPES.has(mediaType)) {
    return pipe(
      decodeAs(ImageManifestShape, json, "image manifest"),
      E.map((image) => {
        const layers = image.layers.filter((l) => !isForeignLayer(l.mediaType));
        return {
          mediaType,
          artifactMediaType: image.artifactType ?? image.config.mediaType,
          blobs: [image.config.digest, ...layers.map((l) => l.digest)],
          blobMediaTypes: Object.fromEntries(
            [image.config, ...layers].map((blob) => [blob.digest, blob.mediaType]),
          ),
          size: image.layers.reduce((sum, l) => sum + l.size, 0),
          children: [],
          subject: image.subject?.digest,
        };
      }),
    );
  }
  if (SCHEMA1_MEDIA_TYPES.has(mediaType)) {
    return pipe(
      decodeAs(Schema1Shape, json, "schema 1 manifest"),
      E.map((m) => ({
        mediaType,
        artifactMediaType: undefined,
        blobs: [...new Set(m.fsLayers.map((l) => l.blobSum))],
        blobMediaTypes: {},
        size: 0,
        children: [],
        subject: undefined,
      })),
    );
  }
  return E.left(
    RegistryErrors.invalidParameter(`Invalid parameter: unsupported manifest media type '${mediaType}'`),
  );
};
