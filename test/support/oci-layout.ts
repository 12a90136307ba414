/**
 * OCI image layouts on disk for the skopeo suites: a minimal ustar writer, gzip'd layers, a config,
 * manifests, an optional image index, `index.json` and `oci-layout`, and a reader to compare what
 * comes back out of the registry.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const REF_NAME = "org.opencontainers.image.ref.name";

const hex = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const digestOf = (bytes: Uint8Array | string) => `sha256:${hex(bytes)}`;

export interface TarEntry {
  readonly path: string;
  readonly content: Uint8Array | string;
  readonly mode?: number;
}

/** A ustar archive of regular files (paths under 100 bytes), two zero blocks at the end. */
export function tar(entries: ReadonlyArray<TarEntry>, mtime = 1_700_000_000): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content =
      typeof entry.content === "string" ? Buffer.from(entry.content) : Buffer.from(entry.content);
    if (Buffer.byteLength(entry.path) >= 100) throw new Error(`tar path too long: ${entry.path}`);
    const header = Buffer.alloc(512, 0);
    const field = (offset: number, length: number, value: string) =>
      header.write(value, offset, length, "ascii");
    const octal = (offset: number, length: number, value: number) =>
      field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
    field(0, 100, entry.path);
    octal(100, 8, entry.mode ?? 0o644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, content.length);
    octal(136, 12, mtime);
    field(148, 8, "        "); // checksum placeholder: spaces while summing
    field(156, 1, "0");
    field(257, 6, "ustar\0");
    field(263, 2, "00");
    field(265, 32, "root");
    field(297, 32, "root");
    let sum = 0;
    for (const byte of header) sum += byte;
    field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header, content);
    const pad = (512 - (content.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly architecture: string; readonly os: string };
}

export interface LayoutImage {
  readonly manifest: string;
  readonly manifestDigest: string;
  readonly config: Buffer;
  readonly configDigest: string;
  readonly layers: ReadonlyArray<Buffer>;
  readonly layerDigests: ReadonlyArray<string>;
  /** Every blob the image is made of: config and layers. */
  readonly blobDigests: ReadonlyArray<string>;
}

/** Builds an image: `layerCount` gzip'd tar layers with distinct files, a config and a manifest. */
export function buildImage(options: {
  readonly seed: string;
  readonly layerCount?: number;
  readonly architecture?: string;
}): LayoutImage {
  const layerCount = options.layerCount ?? 3;
  const tars: Buffer[] = [];
  for (let i = 0; i < layerCount; i++) {
    // Some incompressible bytes make each layer a few KiB, different per seed and layer.
    const noise = createHash("sha512")
      .update(`${options.seed}/${i}`)
      .digest()
      .toString("base64")
      .repeat(20 + i * 7);
    tars.push(
      tar([
        { path: `layer${i}/README`, content: `layer ${i} of ${options.seed}\n` },
        { path: `layer${i}/data.txt`, content: noise },
        { path: `layer${i}/bin/run.sh`, content: "#!/bin/sh\necho hello\n", mode: 0o755 },
      ]),
    );
  }
  const layers = tars.map((bytes) => gzipSync(bytes, { level: 6 }));
  const config = Buffer.from(
    JSON.stringify({
      created: "2024-01-01T00:00:00Z",
      architecture: options.architecture ?? "amd64",
      os: "linux",
      config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["/layer0/bin/run.sh"], Labels: { seed: options.seed } },
      rootfs: { type: "layers", diff_ids: tars.map((bytes) => digestOf(bytes)) },
      history: tars.map((_, i) => ({ created: "2024-01-01T00:00:00Z", created_by: `layer ${i}` })),
    }),
  );
  const layerDigests = layers.map((bytes) => digestOf(bytes));
  const configDigest = digestOf(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: layers.map((bytes, i) => ({
      mediaType: OCI_LAYER_GZIP,
      digest: layerDigests[i],
      size: bytes.length,
    })),
    annotations: { "org.opencontainers.image.title": options.seed },
  });
  return {
    manifest,
    manifestDigest: digestOf(manifest),
    config,
    configDigest,
    layers,
    layerDigests,
    blobDigests: [configDigest, ...layerDigests],
  };
}

export interface LayoutIndex {
  readonly index: string;
  readonly indexDigest: string;
  readonly images: ReadonlyArray<LayoutImage>;
}

/** An OCI image index over several platform images. */
export function buildIndex(
  images: ReadonlyArray<LayoutImage>,
  architectures: ReadonlyArray<string>,
): LayoutIndex {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((image, i) => ({
      mediaType: OCI_MANIFEST,
      digest: image.manifestDigest,
      size: Buffer.byteLength(image.manifest),
      platform: { architecture: architectures[i], os: "linux" },
    })),
  });
  return { index, indexDigest: digestOf(index), images };
}

/**
 * Writes an OCI image layout: each image (or index, with its images) under its ref name in
 * `index.json`, every blob under `blobs/sha256/`.
 */
export async function writeLayout(
  dir: string,
  refs: ReadonlyArray<{ readonly name: string; readonly image?: LayoutImage; readonly index?: LayoutIndex }>,
): Promise<void> {
  const blobDir = join(dir, "blobs", "sha256");
  await mkdir(blobDir, { recursive: true });
  const put = (bytes: Uint8Array | string) => writeFile(join(blobDir, hex(bytes)), bytes);
  const putImage = async (image: LayoutImage) => {
    await put(image.config);
    for (const layer of image.layers) await put(layer);
    await put(image.manifest);
  };
  const manifests: Descriptor[] = [];
  for (const ref of refs) {
    if (ref.image !== undefined) {
      await putImage(ref.image);
      manifests.push({
        mediaType: OCI_MANIFEST,
        digest: ref.image.manifestDigest,
        size: Buffer.byteLength(ref.image.manifest),
        annotations: { [REF_NAME]: ref.name },
      });
    }
    if (ref.index !== undefined) {
      for (const image of ref.index.images) await putImage(image);
      await put(ref.index.index);
      manifests.push({
        mediaType: OCI_INDEX,
        digest: ref.index.indexDigest,
        size: Buffer.byteLength(ref.index.index),
        annotations: { [REF_NAME]: ref.name },
      });
    }
  }
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
  );
}

export interface ReadBack {
  /** The descriptor `index.json` holds for the ref. */
  readonly descriptor: Descriptor;
  /** The manifest (or index) bytes, as stored. */
  readonly manifest: string;
  readBlob(digest: string): Promise<Buffer>;
}

/** Reads the ref's descriptor and manifest from a layout; every blob read is checked against its name. */
export async function readLayout(dir: string, ref: string): Promise<ReadBack> {
  const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as { manifests: Descriptor[] };
  const descriptor =
    index.manifests.find((m) => m.annotations?.[REF_NAME] === ref) ??
    (index.manifests.length === 1 ? index.manifests[0] : undefined);
  if (descriptor === undefined) throw new Error(`no ref ${ref} in ${dir}/index.json`);
  const readBlob = async (digest: string) => {
    const bytes = await readFile(join(dir, "blobs", ...digest.split(":")));
    if (digestOf(bytes) !== digest) throw new Error(`blob ${digest} in ${dir} does not hash to its name`);
    return bytes;
  };
  const manifest = (await readBlob(descriptor.digest)).toString("utf8");
  return { descriptor, manifest, readBlob };
}

/** The layout in `dir` as one tar archive (what `ctr images import` and `docker load` take). */
export async function layoutArchive(dir: string): Promise<Buffer> {
  const blobs = (await readdir(join(dir, "blobs", "sha256"))).sort();
  const entries: TarEntry[] = [];
  for (const path of ["oci-layout", "index.json", ...blobs.map((hex) => `blobs/sha256/${hex}`)])
    entries.push({ path, content: await readFile(join(dir, path)) });
  return tar(entries);
}

export { digestOf as layoutDigest };
