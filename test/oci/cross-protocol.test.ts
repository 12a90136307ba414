/**
 * One registry, two protocols: what skopeo pushes through /v2 the ECR API describes and serves
 * (DescribeImages, BatchGetImage, BatchCheckLayerAvailability, GetDownloadUrlForLayer), what the
 * AWS SDK pushes (InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload, PutImage) skopeo
 * inspects and copies out, and what BatchDeleteImage deletes is gone from /v2.
 */
import { gzipSync } from "node:zlib";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BerthStorage,
  type RunningBerth,
  startBerth,
  TEST_REGISTRY_ID,
} from "../support/berth-server.js";
import {
  bodyBytes,
  bytesOf,
  expectOciError,
  MediaTypes,
  MiB,
  type OciClient,
  ociClient,
  sha256,
} from "../support/oci-client.js";
import { buildImage, type LayoutImage, readLayout, tar, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];

describe.each(STORAGES)("ECR API and /v2 on one registry (%s storage)", (storage) => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  let v2: OciClient;
  let skopeo: Skopeo;
  let image: LayoutImage;
  const tls = "--tls-verify=false";

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    berth = await startBerth({ storage, createOnPush: true });
    ecr = berth.client();
    v2 = ociClient(berth.endpoint);
    image = buildImage({ seed: `cross-${storage}` });
    const source = await skopeo.scratch("cross-src");
    await writeLayout(source, [{ name: "v1", image }]);
    await skopeo([
      "copy",
      "--quiet",
      `oci:${source}:v1`,
      dockerRef(berth.port, "cross/pushed:v1"),
      "--dest-tls-verify=false",
    ]);
    await skopeo([
      "copy",
      "--quiet",
      `oci:${source}:v1`,
      dockerRef(berth.port, "cross/pushed:stable"),
      "--dest-tls-verify=false",
    ]);
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
  });

  describe("pushed with skopeo, read with the SDK", () => {
    it("DescribeImages: the same digest, both tags, the OCI media types and the layer sizes", async () => {
      const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: "cross/pushed" }));
      expect(imageDetails).toHaveLength(1);
      const detail = imageDetails![0]!;
      expect(detail).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName: "cross/pushed",
        imageDigest: image.manifestDigest,
        imageManifestMediaType: MediaTypes.ociManifest,
        artifactMediaType: MediaTypes.ociConfig,
        imageSizeInBytes: image.layers.reduce((sum, layer) => sum + layer.length, 0),
      });
      expect([...(detail.imageTags ?? [])].sort()).toEqual(["stable", "v1"]);
      expect(detail.imagePushedAt).toBeInstanceOf(Date);

      const listed = await ecr.send(new ListImagesCommand({ repositoryName: "cross/pushed" }));
      expect(listed.imageIds?.map((id) => [id.imageDigest, id.imageTag]).sort()).toEqual([
        [image.manifestDigest, "stable"],
        [image.manifestDigest, "v1"],
      ]);
    });

    it("BatchGetImage returns the manifest skopeo pushed, byte for byte, by tag and by digest", async () => {
      const got = await ecr.send(
        new BatchGetImageCommand({
          repositoryName: "cross/pushed",
          imageIds: [{ imageTag: "v1" }, { imageDigest: image.manifestDigest }],
        }),
      );
      expect(got.failures).toEqual([]);
      expect(got.images).toHaveLength(2);
      for (const found of got.images ?? []) {
        expect(found.imageManifest).toBe(image.manifest);
        expect(found.imageManifestMediaType).toBe(MediaTypes.ociManifest);
        expect(found.imageId?.imageDigest).toBe(image.manifestDigest);
      }
      // Asking for the Docker type only: the OCI manifest is not served in that type (a failure, not a conversion).
      const docker = await ecr.send(
        new BatchGetImageCommand({
          repositoryName: "cross/pushed",
          imageIds: [{ imageTag: "v1" }],
          acceptedMediaTypes: [MediaTypes.dockerManifest],
        }),
      );
      expect(docker.images).toEqual([]);
      expect(docker.failures?.[0]).toMatchObject({
        imageId: { imageTag: "v1" },
        failureCode: "ImageNotFound",
      });
      expect(docker.failures?.[0]?.failureReason).toContain(MediaTypes.ociManifest);
    });

    it("the layers skopeo uploaded are available and downloadable through the ECR API", async () => {
      const availability = await ecr.send(
        new BatchCheckLayerAvailabilityCommand({
          repositoryName: "cross/pushed",
          layerDigests: [...image.blobDigests],
        }),
      );
      expect(availability.failures).toEqual([]);
      expect(availability.layers?.map((l) => [l.layerDigest, l.layerAvailability, l.layerSize])).toEqual([
        [image.configDigest, "AVAILABLE", image.config.length],
        ...image.layerDigests.map((digest, i) => [digest, "AVAILABLE", image.layers[i]!.length]),
      ]);
      for (const [i, layerDigest] of image.layerDigests.entries()) {
        const { downloadUrl } = await ecr.send(
          new GetDownloadUrlForLayerCommand({ repositoryName: "cross/pushed", layerDigest }),
        );
        const response = await fetch(downloadUrl!.replace(/^http:\/\/localhost:/, "http://127.0.0.1:"));
        expect(response.status).toBe(200);
        expect((await bodyBytes(response)).equals(image.layers[i]!)).toBe(true);
      }
    });
  });

  describe("pushed with the SDK, read with skopeo", () => {
    const repositoryName = "cross/sdk";
    // A layer over 5 MiB, uploaded in two ECR parts (the first exactly 5 MiB), and a small one.
    const bigTar = tar([{ path: "big/blob.bin", content: bytesOf(6 * MiB + 123, 42) }]);
    const smallTar = tar([{ path: "small/hello.txt", content: "hello from the ECR API\n" }]);
    const layers = [gzipSync(bigTar, { level: 1 }), gzipSync(smallTar)];
    const config = Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: { Cmd: ["/bin/true"] },
        rootfs: { type: "layers", diff_ids: [sha256(bigTar), sha256(smallTar)] },
      }),
    );
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({
        mediaType: MediaTypes.ociLayer,
        digest: sha256(layer),
        size: layer.length,
      })),
    });
    const digest = sha256(manifest);

    const uploadWithSdk = async (bytes: Uint8Array) => {
      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      let offset = 0;
      while (offset < bytes.length) {
        const end = Math.min(offset + 5 * MiB, bytes.length);
        const part = await ecr.send(
          new UploadLayerPartCommand({
            repositoryName,
            uploadId,
            partFirstByte: offset,
            partLastByte: end - 1,
            layerPartBlob: bytes.subarray(offset, end),
          }),
        );
        expect(part.lastByteReceived).toBe(end - 1);
        offset = end;
      }
      const completed = await ecr.send(
        new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }),
      );
      expect(completed.layerDigest).toBe(sha256(bytes));
    };

    beforeAll(async () => {
      expect(layers[0]!.length).toBeGreaterThan(5 * MiB);
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      await uploadWithSdk(config);
      for (const layer of layers) await uploadWithSdk(layer);
      const put = await ecr.send(
        new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: "sdk" }),
      );
      expect(put.image?.imageId).toEqual({ imageDigest: digest, imageTag: "sdk" });
    });

    it("skopeo inspect sees the digest, layers and config", async () => {
      const inspected = JSON.parse(
        (await skopeo(["inspect", tls, dockerRef(berth.port, `${repositoryName}:sdk`)])).stdout,
      ) as {
        Digest: string;
        Layers: string[];
        RepoTags: string[];
        Architecture: string;
      };
      expect(inspected).toMatchObject({
        Digest: digest,
        Layers: layers.map((layer) => sha256(layer)),
        RepoTags: ["sdk"],
        Architecture: "amd64",
      });
      const raw = (await skopeo(["inspect", "--raw", tls, dockerRef(berth.port, `${repositoryName}:sdk`)]))
        .stdout;
      expect(raw).toBe(manifest);
    });

    it("skopeo copies it out to an OCI layout: same manifest digest and blobs", async () => {
      const out = await skopeo.scratch("cross-out");
      await skopeo([
        "copy",
        "--quiet",
        dockerRef(berth.port, `${repositoryName}:sdk`),
        `oci:${out}:sdk`,
        "--src-tls-verify=false",
      ]);
      const back = await readLayout(out, "sdk");
      expect(back.descriptor.digest).toBe(digest);
      expect(back.manifest).toBe(manifest);
      expect((await back.readBlob(sha256(config))).equals(config)).toBe(true);
      for (const layer of layers) expect((await back.readBlob(sha256(layer))).equals(layer)).toBe(true);
    });

    it("the /v2 API serves it too (manifest and a ranged read of the big layer)", async () => {
      const pulled = await v2.request(`/v2/${repositoryName}/manifests/sdk`);
      expect(pulled.headers.get("docker-content-digest")).toBe(digest);
      expect(await pulled.text()).toBe(manifest);
      const ranged = await v2.request(`/v2/${repositoryName}/blobs/${sha256(layers[0]!)}`, {
        headers: { range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` },
      });
      expect(ranged.status).toBe(206);
      expect((await bodyBytes(ranged)).equals(layers[0]!.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    });
  });

  describe("deleted with the SDK", () => {
    it("BatchDeleteImage removes the image: /v2 answers MANIFEST_UNKNOWN and skopeo cannot find it", async () => {
      const source = await skopeo.scratch("cross-delete");
      const doomed = buildImage({ seed: `doomed-${storage}`, layerCount: 1 });
      await writeLayout(source, [{ name: "v1", image: doomed }]);
      await skopeo([
        "copy",
        "--quiet",
        `oci:${source}:v1`,
        dockerRef(berth.port, "cross/doomed:v1"),
        "--dest-tls-verify=false",
      ]);
      expect((await v2.request("/v2/cross/doomed/manifests/v1", { method: "HEAD" })).status).toBe(200);

      const deleted = await ecr.send(
        new BatchDeleteImageCommand({ repositoryName: "cross/doomed", imageIds: [{ imageTag: "v1" }] }),
      );
      expect(deleted.failures).toEqual([]);
      expect(deleted.imageIds).toEqual([{ imageDigest: doomed.manifestDigest, imageTag: "v1" }]);

      await expectOciError(await v2.request("/v2/cross/doomed/manifests/v1"), 404, "MANIFEST_UNKNOWN");
      await expectOciError(
        await v2.request(`/v2/cross/doomed/manifests/${doomed.manifestDigest}`),
        404,
        "MANIFEST_UNKNOWN",
      );
      expect(await (await v2.request("/v2/cross/doomed/tags/list")).json()).toEqual({
        name: "cross/doomed",
        tags: [],
      });
      await expect(skopeo(["inspect", tls, dockerRef(berth.port, "cross/doomed:v1")])).rejects.toThrow(
        /manifest unknown/i,
      );
    });

    it("a /v2 DELETE is seen by DescribeImages", async () => {
      const response = await v2.request(`/v2/cross/pushed/manifests/stable`, { method: "DELETE" });
      expect(response.status).toBe(202);
      const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: "cross/pushed" }));
      expect(imageDetails?.map((d) => d.imageTags)).toEqual([["v1"]]);
    });
  });
});
