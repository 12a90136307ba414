/**
 * The pull-through cache with real peers on loopback (issue 12, item 4): the upstreams are a second
 * Berth (behind a recording proxy that counts what reaches it) and the CNCF reference registry.
 * Images pushed upstream with skopeo are pulled through Berth with skopeo and the AWS SDK: the
 * digests are the upstream's, a second pull never reaches the upstream, concurrent pulls fetch once,
 * an unreachable upstream is UnableToGetUpstreamImageException (MANIFEST_UNKNOWN over `/v2`), and a
 * restart keeps what was filled, once.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  DeletePullThroughCacheRuleCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  type ECRClient,
  GetDownloadUrlForLayerCommand,
  UpdatePullThroughCacheRuleCommand,
  ValidatePullThroughCacheRuleCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { type RunningCncfRegistry, startCncfRegistry } from "../support/cncf-registry.js";
import { expectOciError, ociClient } from "../support/oci-client.js";
import { buildImage, buildIndex, readLayout, writeLayout } from "../support/oci-layout.js";
import { type RecordingProxy, startRecordingProxy } from "../support/oci-proxy.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const app = buildImage({ seed: "ptc-app" });
const appV2 = buildImage({ seed: "ptc-app-v2", layerCount: 2 });
const tool = buildImage({ seed: "ptc-tool", layerCount: 1 });
const built = buildImage({ seed: "ptc-buildah", layerCount: 2 });
const multi = buildIndex(
  [
    buildImage({ seed: "ptc-amd64", architecture: "amd64" }),
    buildImage({ seed: "ptc-arm64", architecture: "arm64" }),
  ],
  ["amd64", "arm64"],
);
const SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/upstream";

describe("pull-through cache against a second Berth and the CNCF registry", () => {
  let skopeo: Skopeo;
  let upstream: RunningBerth;
  let proxy: RecordingProxy;
  let cncf: RunningCncfRegistry;
  let cache: RunningBerth;
  let ecr: ECRClient;
  let dataDir: string;
  const tls = ["--src-tls-verify=false", "--dest-tls-verify=false"];

  const startCache = async () => {
    cache = await startBerth({
      storage: "embedded",
      dataDir,
      upstreamCredentials: new Map([[SECRET, { username: "u", password: "p" }]]),
    });
    ecr = cache.client();
  };
  const upstreamGets = (path: string) =>
    proxy.exchanges.filter((e) => e.method === "GET" && e.url.includes(path)).length;

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    [upstream, cncf] = await Promise.all([
      startBerth({ storage: "memory", createOnPush: true }),
      startCncfRegistry(),
    ]);
    proxy = await startRecordingProxy(upstream.port);
    dataDir = await mkdtemp(join(tmpdir(), "berth-ptc-"));
    await startCache();
    const layout = await skopeo.scratch("ptc-src");
    await writeLayout(layout, [
      { name: "app", image: app },
      { name: "app2", image: appV2 },
      { name: "tool", image: tool },
      { name: "built", image: built },
      { name: "multi", index: multi },
    ]);
    await skopeo([
      "copy",
      "--quiet",
      `oci:${layout}:app`,
      dockerRef(upstream.port, "library/app:v1"),
      ...tls,
    ]);
    await skopeo([
      "copy",
      "--quiet",
      `oci:${layout}:app2`,
      dockerRef(upstream.port, "library/app:v2"),
      ...tls,
    ]);
    await skopeo([
      "copy",
      "--quiet",
      "--all",
      `oci:${layout}:multi`,
      dockerRef(upstream.port, "library/multi:v1"),
      ...tls,
    ]);
    await skopeo(["copy", "--quiet", `oci:${layout}:tool`, dockerRef(cncf.port, "library/tool:v1"), ...tls]);
    await skopeo([
      "copy",
      "--quiet",
      `oci:${layout}:built`,
      dockerRef(cncf.port, "library/built:v1"),
      ...tls,
    ]);
    for (const [ecrRepositoryPrefix, upstreamRegistryUrl] of [
      ["up", `http://127.0.0.1:${proxy.port}`],
      ["cncf", cncf.endpoint],
      ["gone", "http://127.0.0.1:9"],
    ] as const) {
      await ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix, upstreamRegistryUrl }));
    }
  }, 120_000);
  afterAll(async () => {
    await cache?.stop();
    await proxy?.close();
    await upstream?.stop();
    await cncf?.stop();
    await skopeo?.cleanup();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps rules as ECR does: described, validated against the upstream, refused with ECR's exceptions", async () => {
    const described = await ecr.send(new DescribePullThroughCacheRulesCommand({}));
    expect(
      described.pullThroughCacheRules?.map((r) => [r.ecrRepositoryPrefix, r.upstreamRepositoryPrefix]),
    ).toEqual([
      ["up", "ROOT"],
      ["cncf", "ROOT"],
      ["gone", "ROOT"],
    ]);
    expect(described.pullThroughCacheRules?.[0]?.createdAt).toBeInstanceOf(Date);
    await expect(
      ecr.send(
        new CreatePullThroughCacheRuleCommand({
          ecrRepositoryPrefix: "up",
          upstreamRegistryUrl: cncf.endpoint,
        }),
      ),
    ).rejects.toMatchObject({ name: "PullThroughCacheRuleAlreadyExistsException" });
    await expect(
      ecr.send(
        new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "ftp", upstreamRegistryUrl: "ftp://x" }),
      ),
    ).rejects.toMatchObject({ name: "UnsupportedUpstreamRegistryException" });
    await expect(
      ecr.send(
        new UpdatePullThroughCacheRuleCommand({
          ecrRepositoryPrefix: "cncf",
          credentialArn: `${SECRET}-unknown`,
        }),
      ),
    ).rejects.toMatchObject({ name: "SecretNotFoundException" });
    const updated = await ecr.send(
      new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "cncf", credentialArn: SECRET }),
    );
    expect(updated.credentialArn).toBe(SECRET);
    expect(updated.updatedAt).toBeInstanceOf(Date);
    expect(
      await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "cncf" })),
    ).toMatchObject({
      isValid: true,
    });
    const gone = await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "gone" }));
    expect(gone.isValid).toBe(false);
    expect(gone.failure).toMatch(/cannot reach/);
    await expect(
      ecr.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "none" })),
    ).rejects.toMatchObject({
      name: "PullThroughCacheRuleNotFoundException",
    });
  });

  it("fills on a skopeo pull with the upstream's digests; a second pull never reaches the upstream", async () => {
    const out = await skopeo.scratch("ptc-out");
    await skopeo(["copy", "--quiet", dockerRef(cache.port, "up/library/app:v1"), `oci:${out}:v1`, ...tls]);
    const back = await readLayout(out, "v1");
    expect(back.descriptor.digest).toBe(app.manifestDigest);
    expect(back.manifest).toBe(app.manifest);
    const reached = proxy.exchanges.length;
    expect(upstreamGets("/manifests/v1")).toBe(1);
    for (const digest of app.blobDigests) expect(upstreamGets(`/blobs/${digest}`), digest).toBe(1);

    await skopeo(["copy", "--quiet", dockerRef(cache.port, "up/library/app:v1"), `oci:${out}:again`, ...tls]);
    expect((await readLayout(out, "again")).descriptor.digest).toBe(app.manifestDigest);
    expect(proxy.exchanges.length).toBe(reached);
  });

  it("fills a multi-platform index with every child manifest", async () => {
    const out = await skopeo.scratch("ptc-multi");
    await skopeo([
      "copy",
      "--quiet",
      "--all",
      dockerRef(cache.port, "up/library/multi:v1"),
      `oci:${out}:multi`,
      ...tls,
    ]);
    const back = await readLayout(out, "multi");
    expect(back.descriptor.digest).toBe(multi.indexDigest);
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: "up/library/multi" }));
    expect(images.imageDetails?.map((d) => d.imageDigest).sort()).toEqual(
      [multi.indexDigest, ...multi.images.map((i) => i.manifestDigest)].sort(),
    );
  });

  it("fills over the JSON API from the CNCF registry: BatchGetImage answers the upstream's manifest", async () => {
    const answer = await ecr.send(
      new BatchGetImageCommand({ repositoryName: "cncf/library/tool", imageIds: [{ imageTag: "v1" }] }),
    );
    expect(answer.images?.[0]?.imageId?.imageDigest).toBe(tool.manifestDigest);
    expect(answer.images?.[0]?.imageManifest).toBe(tool.manifest);
    const layer = await ecr.send(
      new GetDownloadUrlForLayerCommand({
        repositoryName: "cncf/library/tool",
        layerDigest: tool.layerDigests[0],
      }),
    );
    expect(layer.layerDigest).toBe(tool.layerDigests[0]);
  });

  it("fills on a buildah pull (containers/image with its own storage), the upstream's digest", async () => {
    const home = await skopeo.scratch("ptc-buildah");
    const buildah = (...args: string[]) =>
      promisify(execFile)(
        "buildah",
        ["--storage-driver", "vfs", "--root", join(home, "root"), "--runroot", join(home, "run"), ...args],
        { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmpdir() }, timeout: 60_000 },
      );
    await buildah("pull", "--quiet", "--tls-verify=false", `127.0.0.1:${cache.port}/cncf/library/built:v1`);
    const { stdout } = await buildah("images", "--digests", "--format", "{{.Name}} {{.Digest}}");
    expect(stdout.trim().split(/\s+/)).toEqual([
      `127.0.0.1:${cache.port}/cncf/library/built`,
      built.manifestDigest,
    ]);
  });

  it("fetches an image once for concurrent pulls", async () => {
    const pulls = await Promise.all(
      Array.from({ length: 6 }, () =>
        ecr.send(
          new BatchGetImageCommand({ repositoryName: "up/library/app", imageIds: [{ imageTag: "v2" }] }),
        ),
      ),
    );
    for (const pull of pulls) expect(pull.images?.[0]?.imageId?.imageDigest).toBe(appV2.manifestDigest);
    expect(upstreamGets("/manifests/v2")).toBe(1);
    for (const digest of appV2.blobDigests) expect(upstreamGets(`/blobs/${digest}`), digest).toBe(1);
  });

  it("answers an unreachable upstream with UnableToGetUpstreamImageException, MANIFEST_UNKNOWN over /v2", async () => {
    await expect(
      ecr.send(
        new BatchGetImageCommand({ repositoryName: "gone/library/app", imageIds: [{ imageTag: "v1" }] }),
      ),
    ).rejects.toMatchObject({
      name: "UnableToGetUpstreamImageException",
      message: expect.stringMatching(/cannot reach/),
    });
    await expect(
      ecr.send(
        new GetDownloadUrlForLayerCommand({
          repositoryName: "gone/library/app",
          layerDigest: app.layerDigests[0],
        }),
      ),
    ).rejects.toMatchObject({ name: "UnableToGetUpstreamLayerException" });
    const v2 = ociClient(cache.endpoint);
    const error = await expectOciError(
      await v2.request("/v2/gone/library/app/manifests/v1"),
      404,
      "MANIFEST_UNKNOWN",
    );
    expect(error.message).toMatch(/upstream/);
    await expectOciError(
      await v2.request(`/v2/gone/library/app/blobs/${app.layerDigests[0]}`),
      404,
      "BLOB_UNKNOWN",
    );
    await expectOciError(await v2.request("/v2/up/library/app/manifests/missing"), 404, "MANIFEST_UNKNOWN");
  });

  it("keeps what it filled across a restart, once, and serves it without the upstream", async () => {
    await cache.stop();
    await startCache();
    const reached = proxy.exchanges.length;
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: "up/library/app" }));
    expect(images.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual(
      expect.arrayContaining([
        [app.manifestDigest, ["v1"]],
        [appV2.manifestDigest, ["v2"]],
      ]),
    );
    expect(images.imageDetails).toHaveLength(2);
    const out = await skopeo.scratch("ptc-restart");
    await skopeo(["copy", "--quiet", dockerRef(cache.port, "up/library/app:v1"), `oci:${out}:v1`, ...tls]);
    expect((await readLayout(out, "v1")).descriptor.digest).toBe(app.manifestDigest);
    expect(proxy.exchanges.length).toBe(reached);
  });
});
