/**
 * A thin /v2 client for the OCI suites: fetch against a running Berth, blob and manifest pushes done
 * the way the distribution spec describes them, and checks of the spec's error body.
 */
import { expect } from "vitest";

export { bytesOf, MiB, sha256 } from "./bytes.js";

import { bytesOf, sha256 } from "./bytes.js";

export const MediaTypes = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** The error codes the distribution spec (v1.1, "Error Codes") allows in `errors[].code`. */
export const SPEC_ERROR_CODES = [
  "BLOB_UNKNOWN",
  "BLOB_UPLOAD_INVALID",
  "BLOB_UPLOAD_UNKNOWN",
  "DIGEST_INVALID",
  "MANIFEST_BLOB_UNKNOWN",
  "MANIFEST_INVALID",
  "MANIFEST_UNKNOWN",
  "NAME_INVALID",
  "NAME_UNKNOWN",
  "SIZE_INVALID",
  "UNAUTHORIZED",
  "DENIED",
  "UNSUPPORTED",
  "TOOMANYREQUESTS",
] as const;
export type SpecErrorCode = (typeof SPEC_ERROR_CODES)[number];

export const EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export interface OciClient {
  readonly endpoint: string;
  /** fetch on `path` (absolute or relative to the endpoint), with this client's Authorization. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A client that sends `Authorization: <value>` (or none). */
  withAuthorization(authorization: string | undefined): OciClient;
}

export const ociClient = (endpoint: string, authorization?: string): OciClient => ({
  endpoint,
  request(path, init = {}) {
    const headers = new Headers(init.headers);
    if (authorization !== undefined && !headers.has("authorization"))
      headers.set("authorization", authorization);
    return fetch(new URL(path, endpoint), { ...init, headers, redirect: "manual" });
  },
  withAuthorization: (value) => ociClient(endpoint, value),
});

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The spec's error body: `{"errors":[{"code","message","detail"}]}`; checks status and code, returns it. */
export async function expectOciError(
  response: Response,
  status: number,
  code: SpecErrorCode,
): Promise<{ code: string; message: string; detail: unknown }> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { errors?: Array<Record<string, unknown>> };
  expect(Array.isArray(body.errors) && body.errors.length > 0, `no errors[] in ${text}`).toBe(true);
  for (const error of body.errors ?? []) {
    // Every code is one the spec lists: uppercase letters and underscores from its table.
    expect(SPEC_ERROR_CODES).toContain(error.code);
    expect(typeof error.message).toBe("string");
    expect(Object.keys(error)).toEqual(expect.arrayContaining(["code", "message", "detail"]));
  }
  const first = body.errors![0]!;
  expect(first.code, `body: ${text}`).toBe(code);
  return first as { code: string; message: string; detail: unknown };
}

/** Monolithic single-POST upload (`POST /v2/<name>/blobs/uploads/?digest=`); returns the digest. */
export async function pushBlob(client: OciClient, name: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const response = await client.request(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  expect(response.headers.get("docker-content-digest")).toBe(digest);
  return digest;
}

export interface BuiltManifest {
  readonly bytes: string;
  readonly digest: string;
  readonly mediaType: string;
}

export const built = (bytes: string, mediaType: string): BuiltManifest => ({
  bytes,
  digest: sha256(bytes),
  mediaType,
});

/** Pushes a config and layers, then an OCI image manifest over them (not PUT: see putManifest). */
export async function pushImageBlobs(
  client: OciClient,
  name: string,
  note: string,
  layers: ReadonlyArray<Uint8Array> = [],
): Promise<{ manifest: string; config: Uint8Array; layers: ReadonlyArray<Uint8Array> }> {
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, note }),
  );
  await pushBlob(client, name, config);
  for (const layer of layers) await pushBlob(client, name, layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.length },
    layers: layers.map((layer) => ({
      mediaType: MediaTypes.ociLayer,
      digest: sha256(layer),
      size: layer.length,
    })),
    annotations: { "org.example.note": note },
  });
  return { manifest, config, layers };
}

export async function putManifest(
  client: OciClient,
  name: string,
  reference: string,
  manifest: string,
  mediaType: string = MediaTypes.ociManifest,
): Promise<Response> {
  return client.request(`/v2/${name}/manifests/${reference}`, {
    method: "PUT",
    headers: { "content-type": mediaType },
    body: manifest,
  });
}

/** Pushes a small image (config, `layers`, manifest) under `tag`; returns the manifest and its digest. */
export async function pushImage(
  client: OciClient,
  name: string,
  tag: string,
  layers: ReadonlyArray<Uint8Array> = [bytesOf(1000, tag.length + name.length)],
): Promise<BuiltManifest> {
  const { manifest } = await pushImageBlobs(client, name, `${name}:${tag}`, layers);
  const put = await putManifest(client, name, tag, manifest);
  expect(put.status, await put.clone().text()).toBe(201);
  return built(manifest, MediaTypes.ociManifest);
}

export async function bodyBytes(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}
