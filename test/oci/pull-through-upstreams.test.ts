/**
 * The pull-through cache against upstreams that ask more of it (issue 12, item 4): a Berth that
 * requires `docker login` (Basic auth, credentials named by the rule's credentialArn), the CNCF
 * registry serving a blob whose bytes do not match its digest (nothing is stored), a tag moved
 * upstream (seen after --pull-through-refresh, not before), two processes on one PostgreSQL database
 * filling one image at once (stored once), and a blob pulled before its manifest.
 */
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  CreateRepositoryCreationTemplateCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ValidatePullThroughCacheRuleCommand,
} from "@aws-sdk/client-ecr";
import { serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { type RunningCncfRegistry, startCncfRegistry } from "../support/cncf-registry.js";
import { ociClient, sha256 } from "../support/oci-client.js";
import { buildImage, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const ACCOUNT = "111122223333";
const KEY = { accessKeyId: "AKIDUPSTREAM", secretAccessKey: "upstream-secret" };
const CREDENTIAL_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/locked";
const locked = buildImage({ seed: "ptc-locked", layerCount: 1 });
const corrupt = buildImage({ seed: "ptc-corrupt", layerCount: 2 });
const first = buildImage({ seed: "ptc-first", layerCount: 1 });
const moved = buildImage({ seed: "ptc-moved", layerCount: 1 });
const loose = buildImage({ seed: "ptc-loose", layerCount: 1 });
const raced = buildImage({ seed: "ptc-raced", layerCount: 3 });
const tls = ["--src-tls-verify=false", "--dest-tls-verify=false"];

describe("pull-through cache against demanding upstreams", () => {
  let skopeo: Skopeo;
  let upstream: RunningBerth;
  let cncf: RunningCncfRegistry;
  let cache: RunningBerth;
  let ecr: ECRClient;
  let layout: string;

  const push = (name: string, port: number, ref: string, ...extra: string[]) =>
    skopeo(["copy", "--quiet", ...extra, `oci:${layout}:${name}`, dockerRef(port, ref), ...tls]);
  const rule = (ecrRepositoryPrefix: string, upstreamRegistryUrl: string, credentialArn?: string) =>
    ecr.send(
      new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix, upstreamRegistryUrl, credentialArn }),
    );
  const pull = (repositoryName: string, imageTag: string) =>
    ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag }] }));

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    [upstream, cncf] = await Promise.all([
      startBerth({
        storage: "memory",
        createOnPush: true,
        credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}:${ACCOUNT}`,
        secret: "pull-through-upstream",
      }),
      startCncfRegistry(),
    ]);
    const token = (await upstream.client({ credentials: KEY }).send(new GetAuthorizationTokenCommand({})))
      .authorizationData?.[0]?.authorizationToken;
    const [user, password] = Buffer.from(token ?? "", "base64")
      .toString()
      .split(":") as [string, string];
    // PostgreSQL here (the other pull-through suites run memory and embedded storage).
    cache = await startBerth({
      storage: "postgres",
      pullThroughRefresh: 1500,
      upstreamCredentials: new Map([[CREDENTIAL_ARN, { username: user, password }]]),
    });
    ecr = cache.client();
    layout = await skopeo.scratch("ptc-upstreams");
    await writeLayout(layout, [
      { name: "locked", image: locked },
      { name: "corrupt", image: corrupt },
      { name: "first", image: first },
      { name: "moved", image: moved },
      { name: "loose", image: loose },
      { name: "raced", image: raced },
    ]);
    await push("locked", upstream.port, "library/locked:v1", `--dest-creds=${user}:${password}`);
    await push("corrupt", cncf.port, "library/corrupt:v1");
    await push("first", cncf.port, "library/moving:latest");
    await push("loose", cncf.port, "library/loose:v1");
    await push("raced", cncf.port, "library/raced:v1");
    await rule("locked", `http://127.0.0.1:${upstream.port}`, CREDENTIAL_ARN);
    await rule("open", `http://127.0.0.1:${upstream.port}`);
    await rule("cncf", `127.0.0.1:${cncf.port}`);
  }, 120_000);
  afterAll(async () => {
    await cache?.stop();
    await upstream?.stop();
    await cncf?.stop();
    await skopeo?.cleanup();
  });

  it("answers the upstream's Basic challenge with the credentials the rule's credentialArn names", async () => {
    // The cache repository takes the settings of the PULL_THROUGH_CACHE template covering it.
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: "locked",
        appliedFor: ["PULL_THROUGH_CACHE"],
        imageTagMutability: "IMMUTABLE",
      }),
    );
    const pulled = await pull("locked/library/locked", "v1");
    expect(pulled.images?.[0]?.imageId?.imageDigest).toBe(locked.manifestDigest);
    const created = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: ["locked/library/locked"] }),
    );
    expect(created.repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE");
    expect(
      await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "locked" })),
    ).toMatchObject({
      isValid: true,
      credentialArn: CREDENTIAL_ARN,
    });
    await expect(pull("open/library/locked", "v1")).rejects.toMatchObject({
      name: "UnableToGetUpstreamImageException",
      message: expect.stringMatching(/asks for credentials/),
    });
    expect(
      await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "open" })),
    ).toMatchObject({
      isValid: false,
    });
  });

  it("stores nothing of a blob whose bytes do not match its digest, nor the image", async () => {
    const layer = corrupt.layerDigests[1]!;
    const hex = layer.slice("sha256:".length);
    const bytes = corrupt.layers[1]!;
    const forged = Buffer.from(bytes).map((byte, i) => (i === bytes.length - 1 ? byte ^ 0xff : byte));
    await writeFile(
      join(cncf.storageRoot, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"),
      forged,
    );

    await expect(pull("cncf/library/corrupt", "v1")).rejects.toMatchObject({
      name: "UnableToGetUpstreamImageException",
      message: expect.stringContaining(layer),
    });
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: "cncf/library/corrupt" }));
    expect(images.imageDetails).toEqual([]);
    const availability = await ecr.send(
      new BatchCheckLayerAvailabilityCommand({
        repositoryName: "cncf/library/corrupt",
        layerDigests: [layer],
      }),
    );
    expect(availability.layers?.[0]?.layerAvailability ?? "UNAVAILABLE").toBe("UNAVAILABLE");
  });

  it("serves a cached tag until --pull-through-refresh has passed, then the image the tag names upstream", async () => {
    expect((await pull("cncf/library/moving", "latest")).images?.[0]?.imageId?.imageDigest).toBe(
      first.manifestDigest,
    );
    await push("moved", cncf.port, "library/moving:latest");
    expect((await pull("cncf/library/moving", "latest")).images?.[0]?.imageId?.imageDigest).toBe(
      first.manifestDigest,
    );
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await pull("cncf/library/moving", "latest")).images?.[0]?.imageId?.imageDigest).toBe(
      moved.manifestDigest,
    );
  });

  it("stores an image once when two processes on one database fill it at the same time", async () => {
    const database = cache.database!;
    const other = await serve({
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: "000000000000",
      dataDir: tmpdir(),
      logLevel: "silent",
      lenient: false,
      storage: "postgres",
      databaseUrl: database.connectionString,
      databaseSchema: database.schema,
    });
    const otherEcr = new ECRClient({
      endpoint: `http://127.0.0.1:${other.port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    try {
      const request = { repositoryName: "cncf/library/raced", imageIds: [{ imageTag: "v1" }] };
      const pulls = await Promise.all(
        [ecr, otherEcr, ecr, otherEcr].map((client) => client.send(new BatchGetImageCommand(request))),
      );
      for (const answer of pulls) expect(answer.images?.[0]?.imageId?.imageDigest).toBe(raced.manifestDigest);
      for (const client of [ecr, otherEcr]) {
        const images = await client.send(new DescribeImagesCommand({ repositoryName: "cncf/library/raced" }));
        expect(images.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([
          [raced.manifestDigest, ["v1"]],
        ]);
        const layers = await client.send(
          new BatchCheckLayerAvailabilityCommand({
            repositoryName: "cncf/library/raced",
            layerDigests: [...raced.layerDigests],
          }),
        );
        expect(layers.layers?.map((l) => l.layerAvailability)).toEqual(
          raced.layerDigests.map(() => "AVAILABLE"),
        );
      }
    } finally {
      otherEcr.destroy();
      await other.stop();
    }
  });

  it("fills a blob pulled over /v2 before any manifest of its repository", async () => {
    const v2 = ociClient(cache.endpoint);
    const digest = loose.layerDigests[0]!;
    const response = await v2.request(`/v2/cncf/library/loose/blobs/${digest}`);
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(digest);
  });
});
