/**
 * End to end with skopeo, a real registry client (containers/image): an OCI image layout built here
 * (three gzip'd tar layers, a config, a manifest, index.json, oci-layout) is pushed to Berth, read
 * back out into another layout, and compared digest by digest; also a Docker v2 schema 2 conversion,
 * a multi-platform index, a registry-to-registry copy (cross-repository mount), `skopeo inspect` and
 * `skopeo list-tags`. skopeo missing is a failure with install instructions, never a skip.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import { bodyBytes, MediaTypes, type OciClient, ociClient, sha256 } from "../support/oci-client.js";
import {
  buildImage,
  buildIndex,
  type LayoutImage,
  type LayoutIndex,
  readLayout,
  writeLayout,
} from "../support/oci-layout.js";
import { startRecordingProxy } from "../support/oci-proxy.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];

describe.each(STORAGES)("skopeo against Berth on %s storage", (storage) => {
  let berth: RunningBerth;
  let v2: OciClient;
  let skopeo: Skopeo;
  let source: string;
  let image: LayoutImage;
  let image2: LayoutImage;
  let multi: LayoutIndex;
  const tls = "--dest-tls-verify=false";
  const srcTls = "--src-tls-verify=false";

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    berth = await startBerth({ storage, createOnPush: true });
    v2 = ociClient(berth.endpoint);
    image = buildImage({ seed: `app-${storage}` });
    image2 = buildImage({ seed: `app2-${storage}`, layerCount: 2 });
    multi = buildIndex(
      [
        buildImage({ seed: `multi-amd64-${storage}`, architecture: "amd64" }),
        buildImage({ seed: `multi-arm64-${storage}`, architecture: "arm64" }),
      ],
      ["amd64", "arm64"],
    );
    source = await skopeo.scratch("layout-src");
    await writeLayout(source, [
      { name: "v1", image },
      { name: "v2", image: image2 },
      { name: "multi", index: multi },
    ]);
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
  });

  const ref = (nameAndTag: string) => dockerRef(berth.port, nameAndTag);

  /** Every blob of the image is in the repository with the right bytes. */
  const expectBlobsServed = async (name: string, digests: ReadonlyArray<string>) => {
    for (const digest of digests) {
      const response = await v2.request(`/v2/${name}/blobs/${digest}`);
      expect(response.status, digest).toBe(200);
      expect(sha256(await bodyBytes(response))).toBe(digest);
    }
  };

  it("copies an OCI layout in and back out: same manifest digest and the same blobs, byte for byte", async () => {
    await skopeo(["copy", "--quiet", `oci:${source}:v1`, ref("team/app:v1"), tls]);

    const pulled = await v2.request("/v2/team/app/manifests/v1", {
      headers: { accept: MediaTypes.ociManifest },
    });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("docker-content-digest")).toBe(image.manifestDigest);
    expect(pulled.headers.get("content-type")).toBe(MediaTypes.ociManifest);
    expect(await pulled.text()).toBe(image.manifest);
    await expectBlobsServed("team/app", image.blobDigests);

    const out = await skopeo.scratch("layout-out");
    await skopeo(["copy", "--quiet", ref("team/app:v1"), `oci:${out}:v1`, srcTls]);
    const back = await readLayout(out, "v1");
    expect(back.descriptor.digest).toBe(image.manifestDigest);
    expect(back.descriptor.mediaType).toBe(MediaTypes.ociManifest);
    expect(back.manifest).toBe(image.manifest);
    const manifest = JSON.parse(back.manifest) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    expect([manifest.config.digest, ...manifest.layers.map((l) => l.digest)]).toEqual(image.blobDigests);
    for (const [i, digest] of image.layerDigests.entries()) {
      expect((await back.readBlob(digest)).equals(image.layers[i]!)).toBe(true);
    }
    expect((await back.readBlob(image.configDigest)).equals(image.config)).toBe(true);
    // The layout holds exactly the image's blobs and manifest.
    const stored = (await readdir(join(out, "blobs", "sha256"))).map((hex) => `sha256:${hex}`).sort();
    expect(stored).toEqual([...image.blobDigests, image.manifestDigest].sort());
  });

  it("skopeo inspect reads the manifest, config and tags; list-tags lists the tags in order", async () => {
    await skopeo(["copy", "--quiet", `oci:${source}:v2`, ref("team/app:v2"), tls]);
    await skopeo(["copy", "--quiet", `oci:${source}:v1`, ref("team/app:latest"), tls]);

    const inspected = JSON.parse(
      (await skopeo(["inspect", "--tls-verify=false", ref("team/app:v1")])).stdout,
    ) as {
      Name: string;
      Digest: string;
      RepoTags: string[];
      Architecture: string;
      Os: string;
      Layers: string[];
      Labels: Record<string, string>;
    };
    expect(inspected.Name).toBe(`127.0.0.1:${berth.port}/team/app`);
    expect(inspected.Digest).toBe(image.manifestDigest);
    expect(inspected.Layers).toEqual(image.layerDigests);
    expect(inspected.Architecture).toBe("amd64");
    expect(inspected.Os).toBe("linux");
    expect(inspected.Labels).toEqual({ seed: `app-${storage}` });
    expect(inspected.RepoTags).toEqual(["latest", "v1", "v2"]);

    const raw = (await skopeo(["inspect", "--raw", "--tls-verify=false", ref("team/app:v2")])).stdout;
    expect(raw).toBe(image2.manifest);
    const config = (await skopeo(["inspect", "--config", "--raw", "--tls-verify=false", ref("team/app:v2")]))
      .stdout;
    expect(Buffer.from(config).equals(image2.config)).toBe(true);
    // By digest, too.
    const byDigest = JSON.parse(
      (await skopeo(["inspect", "--tls-verify=false", ref(`team/app@${image2.manifestDigest}`)])).stdout,
    ) as { Digest: string; Layers: string[] };
    expect(byDigest).toMatchObject({ Digest: image2.manifestDigest, Layers: image2.layerDigests });

    const tags = JSON.parse(
      (await skopeo(["list-tags", "--tls-verify=false", dockerRef(berth.port, "team/app")])).stdout,
    ) as {
      Repository: string;
      Tags: string[];
    };
    expect(tags).toEqual({ Repository: `127.0.0.1:${berth.port}/team/app`, Tags: ["latest", "v1", "v2"] });
  });

  it("--format v2s2 converts to a Docker schema 2 manifest over the same layer blobs", async () => {
    await skopeo(["copy", "--quiet", "--format", "v2s2", `oci:${source}:v1`, ref("team/app-docker:v1"), tls]);

    const pulled = await v2.request("/v2/team/app-docker/manifests/v1", {
      headers: { accept: `${MediaTypes.dockerManifest}, ${MediaTypes.ociManifest}` },
    });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("content-type")).toBe(MediaTypes.dockerManifest);
    const text = await pulled.text();
    const digest = pulled.headers.get("docker-content-digest");
    expect(digest).toBe(sha256(text));
    const manifest = JSON.parse(text) as {
      mediaType: string;
      config: { mediaType: string; digest: string };
      layers: Array<{ mediaType: string; digest: string }>;
    };
    expect(manifest.mediaType).toBe(MediaTypes.dockerManifest);
    expect(manifest.config.mediaType).toBe(MediaTypes.dockerConfig);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(image.layers.map(() => MediaTypes.dockerLayer));
    // The gzip'd layers are the very same blobs.
    expect(manifest.layers.map((l) => l.digest)).toEqual(image.layerDigests);
    await expectBlobsServed("team/app-docker", [manifest.config.digest, ...image.layerDigests]);

    // Out again into a dir: layout, unconverted: the manifest is the registry's, byte for byte.
    const out = await skopeo.scratch("dir-out");
    await skopeo(["copy", "--quiet", ref("team/app-docker:v1"), `dir:${out}`, srcTls]);
    const copied = await readFile(join(out, "manifest.json"), "utf8");
    expect(copied).toBe(text);
    for (const blob of [manifest.config.digest, ...image.layerDigests]) {
      expect(sha256(await readFile(join(out, blob.split(":")[1]!)))).toBe(blob);
    }
    const inspected = JSON.parse(
      (await skopeo(["inspect", "--tls-verify=false", ref("team/app-docker:v1")])).stdout,
    ) as {
      Digest: string;
      Layers: string[];
    };
    expect(inspected).toMatchObject({ Digest: digest, Layers: image.layerDigests });
  });

  it("copies a multi-platform index with --all, and back out with the same index digest", async () => {
    await skopeo(["copy", "--quiet", "--all", `oci:${source}:multi`, ref("team/multi:latest"), tls]);
    const pulled = await v2.request("/v2/team/multi/manifests/latest", {
      headers: { accept: MediaTypes.ociIndex },
    });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("docker-content-digest")).toBe(multi.indexDigest);
    expect(await pulled.text()).toBe(multi.index);
    for (const child of multi.images) {
      const manifest = await v2.request(`/v2/team/multi/manifests/${child.manifestDigest}`);
      expect(await manifest.text()).toBe(child.manifest);
      await expectBlobsServed("team/multi", child.blobDigests);
    }

    const out = await skopeo.scratch("layout-multi");
    await skopeo(["copy", "--quiet", "--all", ref("team/multi:latest"), `oci:${out}:multi`, srcTls]);
    const back = await readLayout(out, "multi");
    expect(back.descriptor.digest).toBe(multi.indexDigest);
    expect(back.manifest).toBe(multi.index);
    for (const child of multi.images) {
      expect((await back.readBlob(child.manifestDigest)).toString("utf8")).toBe(child.manifest);
      for (const digest of child.blobDigests) await back.readBlob(digest);
    }

    // Without --all, skopeo picks the platform asked for.
    const arm = await skopeo.scratch("layout-arm");
    await skopeo([
      "copy",
      "--quiet",
      "--override-arch",
      "arm64",
      ref("team/multi:latest"),
      `oci:${arm}:arm`,
      srcTls,
    ]);
    expect((await readLayout(arm, "arm")).descriptor.digest).toBe(multi.images[1]!.manifestDigest);
  });

  it("copies registry to registry, mounting the blobs across repositories, and keeps the digest", async () => {
    // Both copies through one proxy: skopeo's blob-info cache is keyed by registry host.
    const proxy = await startRecordingProxy(berth.port);
    let copyStarts = 0;
    try {
      const via = (nameAndTag: string) => dockerRef(proxy.port, nameAndTag);
      await skopeo(["copy", "--quiet", `oci:${source}:v1`, via("team/source:v1"), tls]);
      copyStarts = proxy.exchanges.length;
      await skopeo(["copy", "--quiet", via("team/source:v1"), via("team/copy:v1"), srcTls, tls]);
    } finally {
      await proxy.close();
    }
    // skopeo mounts the layers it knows the source repository holds (201).
    const mounts = proxy.exchanges
      .slice(copyStarts)
      .filter((e) => e.method === "POST" && e.url.includes("mount="));
    expect(mounts.map((e) => e.status)).toEqual(image.layerDigests.map(() => 201));
    for (const digest of image.layerDigests) {
      expect(mounts.some((e) => decodeURIComponent(e.url).includes(`mount=${digest}`))).toBe(true);
    }
    const copied = await v2.request("/v2/team/copy/manifests/v1", {
      method: "HEAD",
      headers: { accept: MediaTypes.ociManifest },
    });
    expect(copied.status).toBe(200);
    expect(copied.headers.get("docker-content-digest")).toBe(image.manifestDigest);
    await expectBlobsServed("team/copy", image.blobDigests);
  });
});
