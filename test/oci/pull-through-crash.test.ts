/**
 * A Berth process killed (SIGKILL) in the middle of a pull-through fill, its embedded storage then
 * opened by a new process (issue 12, item 4): the half-fetched blob is not visible, nor the image;
 * the next pull fills it whole, once. The upstream is the CNCF registry behind a proxy that holds
 * a blob mid-transfer, so the crash lands inside the fill.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  DescribeImagesCommand,
  ECRClient,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCncfRegistry, startCncfRegistry } from "../support/cncf-registry.js";
import { buildEngine, startWorker, type WorkerProcess } from "../support/engine-process.js";
import { type HoldingProxy, startHoldingProxy } from "../support/holding-proxy.js";
import { ociClient, sha256 } from "../support/oci-client.js";
import type { ServerWorkerLine } from "../support/server-worker.js";

const repositoryName = "cncf/library/big";

describe("a Berth killed mid-fill", () => {
  let cncf: RunningCncfRegistry;
  let proxy: HoldingProxy;
  let dataDir: string;
  let worker: WorkerProcess<ServerWorkerLine> | undefined;
  const layer = randomBytes(4 * 1024 * 1024);
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(layer), size: layer.length },
    ],
  });

  const startCache = async () => {
    const started = await startWorker<ServerWorkerLine>("server-worker.ts", {
      BERTH_SERVER_WORKER_CONFIG: JSON.stringify({
        host: "127.0.0.1",
        port: 0,
        region: "us-east-1",
        registryId: "000000000000",
        storage: "embedded",
        dataDir,
        logLevel: "silent",
        lenient: false,
      }),
    });
    worker = started;
    const { port } = await started.waitFor((line) => line.type === "listening", 60_000);
    const ecr = new ECRClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    return { port, ecr };
  };

  beforeAll(async () => {
    await buildEngine(["packages/server"]);
    cncf = await startCncfRegistry();
    const upstream = ociClient(cncf.endpoint);
    // The CNCF registry takes a blob as a POST then a PUT (it answers a monolithic POST with a session).
    for (const bytes of [config, layer]) {
      const session = await upstream.request("/v2/library/big/blobs/uploads/", { method: "POST" });
      const location = new URL(session.headers.get("location") ?? "", cncf.endpoint);
      location.searchParams.set("digest", sha256(bytes));
      const put = await upstream.request(location.toString(), { method: "PUT", body: bytes });
      expect(put.status).toBe(201);
    }
    const put = await upstream.request("/v2/library/big/manifests/v1", {
      method: "PUT",
      headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
      body: manifest,
    });
    expect(put.status).toBe(201);
    proxy = await startHoldingProxy(cncf.port);
    dataDir = await mkdtemp(join(tmpdir(), "berth-ptc-crash-"));
  }, 240_000);
  afterAll(async () => {
    worker?.kill("SIGTERM");
    await worker?.exited;
    await proxy?.close();
    await cncf?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("shows nothing half-filled after the crash and fills whole, once, on the next pull", {
    timeout: 180_000,
  }, async () => {
    const first = await startCache();
    await first.ecr.send(
      new CreatePullThroughCacheRuleCommand({
        ecrRepositoryPrefix: "cncf",
        upstreamRegistryUrl: `127.0.0.1:${proxy.port}`,
      }),
    );
    const pulling = first.ecr
      .send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }))
      .catch((error: unknown) => error);
    expect(await proxy.held).toContain(sha256(layer));
    worker!.kill("SIGKILL");
    await worker!.exited;
    await pulling;
    first.ecr.destroy();
    proxy.holding = false;

    const second = await startCache();
    const images = await second.ecr.send(new DescribeImagesCommand({ repositoryName }));
    expect(images.imageDetails).toEqual([]);
    const layers = await second.ecr.send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [sha256(layer)] }),
    );
    expect(layers.layers?.[0]?.layerAvailability ?? "UNAVAILABLE").toBe("UNAVAILABLE");

    const pulled = await second.ecr.send(
      new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }),
    );
    expect(pulled.images?.[0]?.imageManifest).toBe(manifest);
    const blob = await ociClient(`http://127.0.0.1:${second.port}`).request(
      `/v2/${repositoryName}/blobs/${sha256(layer)}`,
    );
    expect(sha256(new Uint8Array(await blob.arrayBuffer()))).toBe(sha256(layer));
    const after = await second.ecr.send(new DescribeImagesCommand({ repositoryName }));
    expect(after.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([
      [sha256(Buffer.from(manifest)), ["v1"]],
    ]);
    second.ecr.destroy();
  });
});
