/**
 * The `aws` CLI against Berth's original ECR operations (issue 11 done-when), beyond those
 * aws-cli.test.ts drives (create-repository, describe-repositories, put-image, describe-images,
 * batch-get-image, get-login-password): layer uploads with the blob as a file, list and delete of
 * images, tag mutability, repository and registry policies, tags, the registry, authorization
 * tokens and delete-repository. For each, one call with valid input and the JSON the CLI printed
 * from what botocore parsed; errors are seen by their ECR code. Repositories and images are set up
 * through the JS SDK; the CLI starts slowly (about a second a call), so four groups run side by
 * side, 23 calls in all.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEcr, type CliResult, ok, requireAwsCli } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { bytesOf, configBlob, imageManifest, pushImage, sha256 } from "./ecr-helpers.js";

const arnOf = (repositoryName: string) =>
  `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/${repositoryName}`;
const policy = (sid: string, action: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Principal: { AWS: "*" }, Action: [action] }],
  });
const REPOSITORY_POLICY = policy("pull", "ecr:BatchGetImage");
const REGISTRY_POLICY = policy("replicate", "ecr:ReplicateImage");
const MISSING = sha256("never uploaded");
const LAYER = bytesOf(4096, 41);
/** The layer of cli/images:v1; a download URL is only given for a layer an image references. */
const IMAGE_LAYER = bytesOf(512, 43);
/** A manifest whose config and layer were never uploaded. */
const orphan = imageManifest(configBlob("cli-orphan"), [bytesOf(64, 42)]);

/** A command that must fail: the CLI exits non-zero and names the ECR error code. */
const failedWith = (result: CliResult, code: string) => {
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr).toContain(`(${code})`);
};

/** A timestamp the CLI printed (v1: the wire's epoch seconds; v2: ISO 8601), in milliseconds. */
const millis = (value: unknown) => (typeof value === "number" ? value * 1000 : Date.parse(String(value)));

describe("the aws CLI against the original ECR operations", () => {
  let berth: RunningBerth;
  let workdir: string;
  let imageDigest: string;
  let layers: CliResult[];
  let images: CliResult[];
  let policies: CliResult[];
  let registry: CliResult[];

  beforeAll(async () => {
    await requireAwsCli();
    berth = await startBerth({ storage: "memory" });
    workdir = await mkdtemp(join(tmpdir(), "berth-aws-cli-core-"));
    const layerFile = join(workdir, "layer.bin");
    await writeFile(layerFile, LAYER);
    const ecr = berth.client();
    for (const repositoryName of ["cli/layers", "cli/images", "cli/policy", "cli/tags", "cli/doomed"])
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const pushed = await pushImage(ecr, "cli/images", { tag: "v1", layers: [IMAGE_LAYER] });
    await ecr.send(
      new PutImageCommand({
        repositoryName: "cli/images",
        imageManifest: pushed.manifest,
        imageTag: "latest",
      }),
    );
    imageDigest = pushed.digest;
    await pushImage(ecr, "cli/doomed", { tag: "v1" });

    const cli = (args: ReadonlyArray<string>) => awsEcr(berth.endpoint, args);
    /** Runs the commands of one group in order. */
    const inOrder = async (commands: ReadonlyArray<ReadonlyArray<string>>) => {
      const results: CliResult[] = [];
      for (const command of commands) results.push(await cli(command));
      return results;
    };
    const repo = (name: string) => ["--repository-name", name];
    [layers, images, policies, registry] = await Promise.all([
      (async () => {
        const initiated = await cli(["initiate-layer-upload", ...repo("cli/layers")]);
        const uploadId = String(ok(initiated).uploadId);
        const upload = [...repo("cli/layers"), "--upload-id", uploadId];
        return [
          initiated,
          ...(await inOrder([
            [
              "upload-layer-part",
              ...upload,
              "--part-first-byte",
              "0",
              "--part-last-byte",
              String(LAYER.length - 1),
              "--layer-part-blob",
              `fileb://${layerFile}`,
            ],
            ["complete-layer-upload", ...upload, "--layer-digests", sha256(LAYER)],
            [
              "batch-check-layer-availability",
              ...repo("cli/layers"),
              "--layer-digests",
              sha256(LAYER),
              MISSING,
            ],
            ["get-download-url-for-layer", ...repo("cli/images"), "--layer-digest", sha256(IMAGE_LAYER)],
          ])),
        ];
      })(),
      inOrder([
        ["list-images", ...repo("cli/images")],
        [
          "batch-delete-image",
          ...repo("cli/images"),
          "--image-ids",
          "imageTag=latest",
          `imageDigest=${MISSING}`,
        ],
        ["put-image", ...repo("cli/images"), "--image-manifest", orphan.manifest, "--image-tag", "orphan"],
        ["put-image-tag-mutability", ...repo("cli/images"), "--image-tag-mutability", "IMMUTABLE"],
      ]),
      inOrder([
        ["set-repository-policy", ...repo("cli/policy"), "--policy-text", REPOSITORY_POLICY],
        ["get-repository-policy", ...repo("cli/policy")],
        ["delete-repository-policy", ...repo("cli/policy")],
        ["get-repository-policy", ...repo("cli/policy")],
        ["put-registry-policy", "--policy-text", REGISTRY_POLICY],
        ["get-registry-policy"],
        ["delete-registry-policy"],
      ]),
      inOrder([
        [
          "tag-resource",
          "--resource-arn",
          arnOf("cli/tags"),
          "--tags",
          "Key=env,Value=test",
          "Key=team,Value=core",
        ],
        ["untag-resource", "--resource-arn", arnOf("cli/tags"), "--tag-keys", "team"],
        ["list-tags-for-resource", "--resource-arn", arnOf("cli/tags")],
        ["describe-registry"],
        ["get-authorization-token"],
        ["delete-repository", ...repo("cli/doomed"), "--force"],
        ["delete-repository", ...repo("cli/doomed")],
      ]),
    ]);
  }, 120_000);
  afterAll(async () => {
    await berth?.stop();
    if (workdir !== undefined) await rm(workdir, { recursive: true, force: true });
  });

  it("layer uploads: initiate, upload-layer-part from a file, complete, availability; a download URL", async () => {
    const [initiated, part, completed, availability, download] = layers;
    const { uploadId } = ok(initiated!);
    expect(ok(initiated!)).toEqual({
      uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      partSize: 5 * 1024 * 1024,
    });
    const upload = { registryId: TEST_REGISTRY_ID, repositoryName: "cli/layers", uploadId };
    expect(ok(part!)).toEqual({ ...upload, lastByteReceived: LAYER.length - 1 });
    expect(ok(completed!)).toEqual({ ...upload, layerDigest: sha256(LAYER) });
    expect(ok(availability!)).toEqual({
      layers: [{ layerDigest: sha256(LAYER), layerAvailability: "AVAILABLE", layerSize: LAYER.length }],
      failures: [
        {
          layerDigest: MISSING,
          failureCode: "MissingLayerDigest",
          failureReason: "Could not find layer with digest",
        },
      ],
    });
    const answer = ok(download!);
    expect(answer).toEqual({ downloadUrl: expect.any(String), layerDigest: sha256(IMAGE_LAYER) });
    const response = await fetch(String(answer.downloadUrl));
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(IMAGE_LAYER));
  });

  it("images: list, batch-delete (one failure), LayersNotFoundException, put-image-tag-mutability", () => {
    const [listed, deleted, orphaned, mutability] = images;
    const ids = (ok(listed!) as { imageIds: Array<{ imageTag: string }> }).imageIds;
    expect([...ids].sort((a, b) => a.imageTag.localeCompare(b.imageTag))).toEqual([
      { imageDigest, imageTag: "latest" },
      { imageDigest, imageTag: "v1" },
    ]);
    expect(ok(deleted!)).toEqual({
      imageIds: [{ imageDigest, imageTag: "latest" }],
      failures: [
        {
          imageId: { imageDigest: MISSING },
          failureCode: "ImageNotFound",
          failureReason: "Requested image not found",
        },
      ],
    });
    failedWith(orphaned!, "LayersNotFoundException");
    expect(orphaned!.stderr).toContain(orphan.configDigest);
    expect(ok(mutability!)).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "cli/images",
      imageTagMutability: "IMMUTABLE",
    });
  });

  it("policies: repository set/get/delete, then RepositoryPolicyNotFoundException; registry put/get/delete", () => {
    const [set, got, deleted, gone, putRegistry, getRegistry, deleteRegistry] = policies;
    const repositoryPolicy = {
      registryId: TEST_REGISTRY_ID,
      repositoryName: "cli/policy",
      policyText: REPOSITORY_POLICY,
    };
    expect(ok(set!)).toEqual(repositoryPolicy);
    expect(ok(got!)).toEqual(repositoryPolicy);
    expect(ok(deleted!)).toEqual(repositoryPolicy);
    failedWith(gone!, "RepositoryPolicyNotFoundException");
    const registryPolicy = { registryId: TEST_REGISTRY_ID, policyText: REGISTRY_POLICY };
    expect(ok(putRegistry!)).toEqual(registryPolicy);
    expect(ok(getRegistry!)).toEqual(registryPolicy);
    expect(ok(deleteRegistry!)).toEqual(registryPolicy);
  });

  it("tags, describe-registry, get-authorization-token, delete-repository; twice is RepositoryNotFoundException", () => {
    const [tagged, untagged, listed, described, token, deleted, again] = registry;
    expect(ok(tagged!)).toEqual({});
    expect(ok(untagged!)).toEqual({});
    expect(ok(listed!)).toEqual({ tags: [{ Key: "env", Value: "test" }] });
    expect(ok(described!)).toEqual({ registryId: TEST_REGISTRY_ID, replicationConfiguration: { rules: [] } });
    const data = (ok(token!) as { authorizationData: Array<Record<string, unknown>> }).authorizationData;
    expect(data).toEqual([
      { authorizationToken: expect.any(String), expiresAt: expect.anything(), proxyEndpoint: berth.endpoint },
    ]);
    expect(Buffer.from(String(data[0]?.authorizationToken), "base64").toString("utf8")).toMatch(
      /^AWS:[A-Za-z0-9_.-]{16,}$/,
    );
    expect(Math.abs(millis(data[0]?.expiresAt) - Date.now() - 12 * 3600_000)).toBeLessThan(60_000);
    const repository = (ok(deleted!) as { repository: Record<string, unknown> }).repository;
    expect(repository).toMatchObject({
      repositoryArn: arnOf("cli/doomed"),
      registryId: TEST_REGISTRY_ID,
      repositoryName: "cli/doomed",
      imageTagMutability: "MUTABLE",
    });
    expect(Math.abs(millis(repository.createdAt) - Date.now())).toBeLessThan(60_000);
    failedWith(again!, "RepositoryNotFoundException");
    expect(again!.stderr).toContain("cli/doomed");
  });
});
