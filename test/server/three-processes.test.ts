/**
 * Past one machine, tested on one (issue 13 item 7): three Berth processes on one PostgreSQL, behind
 * one address that sends every request (not every connection) to the next process in turn, as a
 * load balancer does. The requests of one upload (POST, PATCHes, PUT; ECR's Initiate, parts,
 * Complete) land on different processes, and the suites check that they did; pushes with skopeo
 * and buildah complete with their digests and pull back identical, served by other processes than
 * the ones that wrote; the ECR JSON API on one process sees what another wrote; concurrent PutImage
 * calls through all three are each acknowledged once and none is lost.
 *
 * Where blobs live is one parameter (BLOB_LOCATIONS): PostgreSQL bytea (`--blobs postgres`) and a
 * real S3 server (moto_server) shared by the three processes (`--blobs s3://…`).
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import type { ServeOptions } from "@berth/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BerthCluster, startBerthCluster } from "../support/berth-cluster.js";
import { MOTO_CREDENTIALS, startMotoS3 } from "../support/moto-s3.js";
import { type ContainerTools, createContainerTools, requireTool } from "../support/oci-buildah.js";
import {
  basicAuth,
  bodyBytes,
  MediaTypes,
  MiB,
  type OciClient,
  ociClient,
  sha256,
} from "../support/oci-client.js";
import { buildImage, readLayout, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";
import { configBlob, imageManifest, uploadBlob } from "./ecr-helpers.js";

/** Where the processes keep blobs: the serve options that say so, and whatever peer that needs. */
interface BlobLocation {
  readonly name: string;
  start(): Promise<{ readonly serve: Partial<ServeOptions>; stop(): Promise<void> }>;
}

const BLOB_LOCATIONS: ReadonlyArray<BlobLocation> = [
  // bytea rows of the same database: nothing more to start.
  { name: "PostgreSQL bytea", start: async () => ({ serve: { blobs: "postgres" }, stop: async () => {} }) },
  {
    name: "S3 (moto_server)",
    start: async () => {
      const moto = await startMotoS3();
      const bucket = await moto.createBucket();
      const serve: Partial<ServeOptions> = {
        blobs: `s3://${bucket}/cluster`,
        s3Endpoint: moto.endpoint,
        s3AccessKeyId: MOTO_CREDENTIALS.accessKeyId,
        s3SecretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
      };
      return { serve, stop: () => moto.stop() };
    },
  },
];

const PROCESSES = 3;
const KEY = { accessKeyId: "AKIDCLUSTER", secretAccessKey: "cluster-secret" };
const ACCOUNT = "000000000000";

/** Which processes answered the requests of each /v2 upload session (upload id → backends). */
function backendsPerUpload(cluster: BerthCluster, from: number): Map<string, Set<number>> {
  const uploads = new Map<string, Set<number>>();
  for (const exchange of cluster.proxy.exchanges.slice(from)) {
    const location = exchange.method === "POST" ? String(exchange.headers.location ?? "") : exchange.url;
    const id = /\/blobs\/uploads\/([^/?]+)/.exec(location)?.[1];
    if (id === undefined) continue;
    const backends = uploads.get(id) ?? new Set<number>();
    backends.add(exchange.backend);
    uploads.set(id, backends);
  }
  return uploads;
}

describe.each(BLOB_LOCATIONS)(
  "three Berth processes on one PostgreSQL, blobs in $name, behind one address",
  (location) => {
    let blobs: Awaited<ReturnType<BlobLocation["start"]>>;
    let cluster: BerthCluster;
    let password: string;
    let v2: OciClient;
    let ecr: ECRClient;
    /** An ECR client straight to process i, past the proxy. */
    let direct: ECRClient[];
    let skopeo: Skopeo;
    let tools: ContainerTools;

    beforeAll(async () => {
      await requireSkopeo();
      await requireTool("buildah");
      skopeo = await createSkopeo();
      tools = await createContainerTools();
      blobs = await location.start();
      cluster = await startBerthCluster({
        size: PROCESSES,
        serve: {
          ...blobs.serve,
          registryId: ACCOUNT,
          createOnPush: true,
          credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}:${ACCOUNT}`,
          // Shared, so that a login password one process signed opens the others.
          secret: "three-processes-secret",
        },
      });
      const client = (endpoint: string) =>
        new ECRClient({ endpoint, region: "us-east-1", credentials: KEY, maxAttempts: 1 });
      ecr = client(cluster.proxy.endpoint);
      direct = cluster.processes.map((process) => client(`http://127.0.0.1:${process.port}`));
      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      password = Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64")
        .toString("utf8")
        .replace(/^AWS:/, "");
      v2 = ociClient(cluster.proxy.endpoint, basicAuth("AWS", password));
    }, 240_000);
    // Every request reached a process (the proxy answers 502 when one refuses or resets a connection).
    afterEach(() => {
      expect(cluster.proxy.failures).toEqual([]);
    });
    afterAll(async () => {
      for (const client of [ecr, ...(direct ?? [])]) client?.destroy();
      await cluster?.stop();
      await blobs?.stop();
      await skopeo?.cleanup();
      await tools?.cleanup();
    });

    it("a chunked /v2 upload: POST, three PATCHes and the PUT each on the next process; every process serves the blob", async () => {
      const bytes = randomBytes(300_000);
      const from = cluster.proxy.exchanges.length;
      const opened = await v2.request("/v2/team/chunks/blobs/uploads/", { method: "POST" });
      expect(opened.status).toBe(202);
      let url = new URL(opened.headers.get("location")!, v2.endpoint);
      for (const [first, last] of [
        [0, 99_999],
        [100_000, 199_999],
        [200_000, 299_999],
      ] as const) {
        const patched = await v2.request(url.toString(), {
          method: "PATCH",
          headers: { "content-type": "application/octet-stream", "content-range": `${first}-${last}` },
          body: bytes.subarray(first, last + 1),
        });
        expect(patched.status, await patched.clone().text()).toBe(202);
        expect(patched.headers.get("range")).toBe(`0-${last}`);
        url = new URL(patched.headers.get("location")!, v2.endpoint);
      }
      url.searchParams.set("digest", sha256(bytes));
      const closed = await v2.request(url.toString(), { method: "PUT" });
      expect(closed.status, await closed.clone().text()).toBe(201);

      const served = cluster.proxy.exchanges.slice(from).map((exchange) => exchange.backend);
      expect(served).toHaveLength(5);
      expect(new Set(served).size).toBe(PROCESSES);
      for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1]);
      for (const process of cluster.processes) {
        const own = ociClient(`http://127.0.0.1:${process.port}`, basicAuth("AWS", password));
        const blob = await own.request(`/v2/team/chunks/blobs/${sha256(bytes)}`);
        expect(blob.status).toBe(200);
        expect((await bodyBytes(blob)).equals(bytes)).toBe(true);
      }
    });

    it("skopeo pushes through the one address and copies back out identical; every process serves the digest", async () => {
      const image = buildImage({ seed: "three-processes", layerCount: 4 });
      const layout = await skopeo.scratch("cluster-src");
      await writeLayout(layout, [{ name: "v1", image }]);
      const ref = `docker://127.0.0.1:${cluster.proxy.port}/team/app:v1`;
      const creds = `AWS:${password}`;
      const from = cluster.proxy.exchanges.length;
      await skopeo([
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "--dest-creds",
        creds,
        `oci:${layout}:v1`,
        ref,
      ]);

      // Each blob's POST, PATCH and PUT went round the processes: uploads crossed processes.
      const uploads = backendsPerUpload(cluster, from);
      expect(uploads.size).toBe(image.blobDigests.length);
      expect([...uploads.values()].filter((backends) => backends.size > 1).length).toBeGreaterThan(0);
      expect(cluster.proxy.requestsPerBackend().every((count) => count > 0)).toBe(true);

      const out = await skopeo.scratch("cluster-out");
      await skopeo(["copy", "--quiet", "--src-tls-verify=false", "--src-creds", creds, ref, `oci:${out}:v1`]);
      const back = await readLayout(out, "v1");
      expect(back.descriptor.digest).toBe(image.manifestDigest);
      expect(back.manifest).toBe(image.manifest);
      for (const [i, digest] of image.layerDigests.entries())
        expect((await back.readBlob(digest)).equals(image.layers[i]!)).toBe(true);

      for (const process of cluster.processes) {
        const own = ociClient(`http://127.0.0.1:${process.port}`, basicAuth("AWS", password));
        const head = await own.request("/v2/team/app/manifests/v1", {
          method: "HEAD",
          headers: { accept: MediaTypes.ociManifest },
        });
        expect(head.headers.get("docker-content-digest")).toBe(image.manifestDigest);
      }
      // The ECR JSON API, through the one address, sees what /v2 wrote.
      const described = await ecr.send(new DescribeImagesCommand({ repositoryName: "team/app" }));
      expect(described.imageDetails?.map((detail) => [detail.imageDigest, detail.imageTags])).toEqual([
        [image.manifestDigest, ["v1"]],
      ]);
    });

    it("buildah pushes through the one address and pulls back into an empty store: same digest, same file", async () => {
      const payload = randomBytes(200_000);
      const file = join(tools.dir, "cluster-payload.bin");
      await writeFile(file, payload);
      const container = (await tools.buildah(["from", "scratch"])).stdout.trim();
      await tools.buildah(["copy", container, file, "/payload.bin"]);
      const imageId = (
        await tools.buildah(["commit", "--quiet", "--rm", container, "localhost/cluster/app:v1"])
      ).stdout.trim();
      const target = `docker://127.0.0.1:${cluster.proxy.port}/team/built:v1`;
      const creds = ["--tls-verify=false", "--creds", `AWS:${password}`];
      const digestFile = join(tools.dir, "cluster-digest");
      await tools.buildah(["push", ...creds, "--digestfile", digestFile, "localhost/cluster/app:v1", target]);
      const digest = (await readFile(digestFile, "utf8")).trim();

      const empty = await tools.store("cluster-pull");
      const pulledId = (await empty.buildah(["pull", "--quiet", ...creds, target])).stdout.trim();
      expect(pulledId).toBe(imageId);
      const images = JSON.parse((await empty.buildah(["images", "--digests", "--json"])).stdout) as Array<{
        digest: string;
      }>;
      expect(images.map((image) => image.digest)).toEqual([digest]);
      const pulled = (
        await empty.buildah(["from", `127.0.0.1:${cluster.proxy.port}/team/built:v1`])
      ).stdout.trim();
      const root = (await empty.buildah(["mount", pulled])).stdout.trim();
      expect((await readFile(join(root, "payload.bin"))).equals(payload)).toBe(true);
      await empty.buildah(["umount", pulled]);
    });

    it("ECR JSON API: a layer upload whose every call lands on the next process, then each process describes the image", async () => {
      const repositoryName = "team/ecr";
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      // ECR's smallest part but the last is 5 MiB.
      const layer = randomBytes(11 * MiB);
      const config = configBlob("three processes");
      const from = cluster.proxy.exchanges.length;
      await uploadBlob(ecr, repositoryName, layer, [5 * MiB, 5 * MiB]);
      const served = cluster.proxy.exchanges.slice(from).map((exchange) => exchange.backend);
      // Initiate, three parts, Complete: five calls over three processes.
      expect(served).toHaveLength(5);
      expect(new Set(served).size).toBe(PROCESSES);
      await uploadBlob(ecr, repositoryName, config);
      const image = imageManifest(config, [layer], "ecr");
      const put = await ecr.send(
        new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: "v1" }),
      );
      expect(put.image?.imageId?.imageDigest).toBe(image.digest);

      for (const client of direct) {
        const described = await client.send(new DescribeImagesCommand({ repositoryName }));
        expect(described.imageDetails?.map((detail) => detail.imageDigest)).toEqual([image.digest]);
        const got = await client.send(
          new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }),
        );
        expect(got.images?.[0]?.imageManifest).toBe(image.manifest);
      }
    });

    it("24 concurrent PutImage calls through the one address: each acknowledged once, every tag kept", async () => {
      const repositoryName = "team/concurrent";
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      const config = configBlob("concurrent");
      await uploadBlob(ecr, repositoryName, config);
      const images = Array.from({ length: 24 }, (_, i) => ({
        tag: `t${i}`,
        ...imageManifest(config, [], `image ${i}`),
      }));
      const from = cluster.proxy.exchanges.length;
      const puts = await Promise.all(
        images.map((image) =>
          ecr.send(
            new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: image.tag }),
          ),
        ),
      );
      expect(puts.map((put) => put.image?.imageId?.imageDigest)).toEqual(images.map((image) => image.digest));
      const perBackend = [0, 1, 2].map(
        (backend) =>
          cluster.proxy.exchanges.slice(from).filter((exchange) => exchange.backend === backend).length,
      );
      expect(perBackend).toEqual([8, 8, 8]);

      for (const client of direct) {
        const listed = await client.send(new ListImagesCommand({ repositoryName, maxResults: 100 }));
        const pairs = (listed.imageIds ?? []).map((id) => `${id.imageTag}=${id.imageDigest}`).sort();
        expect(pairs).toEqual(images.map((image) => `${image.tag}=${image.digest}`).sort());
      }
    });
  },
);
