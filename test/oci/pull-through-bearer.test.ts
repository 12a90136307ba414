/**
 * The pull-through cache against an upstream with Bearer token auth, as Docker Hub, GHCR and Quay
 * have it (issue 12, item 4): the CNCF registry in `auth: token` mode, verifying every token, and a
 * token service granting pulls to one user. Berth follows the 401's `WWW-Authenticate: Bearer
 * realm=…,service=…,scope=…`, gets a token with the credentials the rule's credentialArn names,
 * and pulls; without credentials the token service refuses, and so does the pull.
 */
import {
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  type ECRClient,
  ValidatePullThroughCacheRuleCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { type RunningCncfRegistry, startCncfRegistry } from "../support/cncf-registry.js";
import { buildImage, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";
import { type RegistryTokenService, startRegistryTokenService } from "../support/registry-token-service.js";

const USER = "puller";
const PASSWORD = "token-service-secret";
const CREDENTIAL_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/bearer";
const image = buildImage({ seed: "ptc-bearer", layerCount: 2 });

describe("pull-through cache against a registry with Bearer token auth", () => {
  let skopeo: Skopeo;
  let tokens: RegistryTokenService;
  let cncf: RunningCncfRegistry;
  let cache: RunningBerth;
  let ecr: ECRClient;

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    tokens = await startRegistryTokenService(USER, PASSWORD);
    cncf = await startCncfRegistry(tokens);
    const layout = await skopeo.scratch("ptc-bearer");
    await writeLayout(layout, [{ name: "v1", image }]);
    await skopeo([
      "copy",
      "--quiet",
      `--dest-creds=${USER}:${PASSWORD}`,
      "--dest-tls-verify=false",
      `oci:${layout}:v1`,
      dockerRef(cncf.port, "library/app:v1"),
    ]);
    cache = await startBerth({
      storage: "memory",
      upstreamCredentials: new Map([[CREDENTIAL_ARN, { username: USER, password: PASSWORD }]]),
    });
    ecr = cache.client();
    const upstreamRegistryUrl = `127.0.0.1:${cncf.port}`;
    await ecr.send(
      new CreatePullThroughCacheRuleCommand({
        ecrRepositoryPrefix: "hub",
        upstreamRegistryUrl,
        credentialArn: CREDENTIAL_ARN,
      }),
    );
    await ecr.send(
      new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "anon", upstreamRegistryUrl }),
    );
  }, 120_000);
  afterAll(async () => {
    await cache?.stop();
    await cncf?.stop();
    await tokens?.stop();
    await skopeo?.cleanup();
  });

  it("gets a token from the realm with the rule's credentials and pulls with it", async () => {
    const asked = tokens.requests.length;
    const pulled = await ecr.send(
      new BatchGetImageCommand({ repositoryName: "hub/library/app", imageIds: [{ imageTag: "v1" }] }),
    );
    expect(pulled.images?.[0]?.imageId?.imageDigest).toBe(image.manifestDigest);
    expect(pulled.images?.[0]?.imageManifest).toBe(image.manifest);
    // One token for the repository, reused for the manifest and every blob.
    expect(tokens.requests.slice(asked)).toEqual([{ scope: "repository:library/app:pull", granted: true }]);
    expect(
      await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "hub" })),
    ).toMatchObject({
      isValid: true,
    });
  });

  it("is refused without credentials: the token service says no, the pull is UnableToGetUpstreamImageException", async () => {
    await expect(
      ecr.send(
        new BatchGetImageCommand({ repositoryName: "anon/library/app", imageIds: [{ imageTag: "v1" }] }),
      ),
    ).rejects.toMatchObject({
      name: "UnableToGetUpstreamImageException",
      message: expect.stringMatching(/token service refused a token \(401\)/),
    });
    const validated = await ecr.send(
      new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "anon" }),
    );
    expect(validated.isValid).toBe(false);
  });
});
