/**
 * Smoke test with the real `aws` CLI (botocore: it reads `__type`, signs without
 * x-amz-content-sha256): create-repository, put-image, describe-images, batch-get-image,
 * get-login-password, an error, and a signed call against configured credentials. Fails, never
 * skips, when `aws` is not on PATH.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenIssuer } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEcr, ok, requireAwsCli } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { bytesOf, imageManifest, OCI_MANIFEST, uploadBlob } from "./ecr-helpers.js";

const SECRET = "aws-cli-test-secret";

describe("the aws CLI against Berth", () => {
  let berth: RunningBerth;
  let workdir: string;

  beforeAll(async () => {
    await requireAwsCli();
    berth = await startBerth({ storage: "memory", secret: SECRET });
    workdir = await mkdtemp(join(tmpdir(), "berth-aws-cli-"));
  });
  afterAll(async () => {
    await berth?.stop();
    if (workdir !== undefined) await rm(workdir, { recursive: true, force: true });
  });

  it("create-repository, put-image, describe-images, batch-get-image, get-login-password", {
    timeout: 45_000,
  }, async () => {
    const repositoryName = "cli/app";
    const created = ok(
      await awsEcr(berth.endpoint, ["create-repository", "--repository-name", repositoryName]),
    );
    expect(created.repository).toMatchObject({
      repositoryName,
      registryId: TEST_REGISTRY_ID,
      repositoryArn: `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/${repositoryName}`,
    });
    // botocore parses the wire's epoch seconds; CLI v1 prints them back as a number, v2 as ISO 8601.
    const createdAt = (created.repository as { createdAt: unknown }).createdAt;
    const createdMs = typeof createdAt === "number" ? createdAt * 1000 : Date.parse(String(createdAt));
    expect(Math.abs(createdMs - Date.now())).toBeLessThan(60_000);

    // Blobs go up through the SDK (the CLI's upload-layer-part takes a file of bytes); the CLI pushes.
    const ecr = berth.client();
    const config = new TextEncoder().encode(
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
    );
    const layer = bytesOf(4096, 21);
    await uploadBlob(ecr, repositoryName, config);
    await uploadBlob(ecr, repositoryName, layer);
    const image = imageManifest(config, [layer]);
    const manifestFile = join(workdir, "manifest.json");
    await writeFile(manifestFile, image.manifest);

    const put = ok(
      await awsEcr(berth.endpoint, [
        "put-image",
        "--repository-name",
        repositoryName,
        "--image-tag",
        "v1",
        "--image-manifest",
        `file://${manifestFile}`,
      ]),
    );
    expect(put.image).toMatchObject({
      imageId: { imageDigest: image.digest, imageTag: "v1" },
      imageManifest: image.manifest,
    });

    const described = ok(
      await awsEcr(berth.endpoint, ["describe-images", "--repository-name", repositoryName]),
    );
    expect(described.imageDetails).toEqual([
      expect.objectContaining({
        imageDigest: image.digest,
        imageTags: ["v1"],
        imageSizeInBytes: layer.length,
        imageManifestMediaType: OCI_MANIFEST,
      }),
    ]);

    const got = ok(
      await awsEcr(berth.endpoint, [
        "batch-get-image",
        "--repository-name",
        repositoryName,
        "--image-ids",
        "imageTag=v1",
      ]),
    );
    expect(got.images).toEqual([
      expect.objectContaining({
        imageManifest: image.manifest,
        imageId: { imageDigest: image.digest, imageTag: "v1" },
      }),
    ]);
    expect(got.failures).toEqual([]);

    const login = await awsEcr(berth.endpoint, ["get-login-password"]);
    expect(login.code, login.stderr).toBe(0);
    const password = login.stdout.trim();
    expect(password.length).toBeGreaterThan(16);
    // The password is one this server issued (HMAC with its secret), for the default account.
    expect(createTokenIssuer(SECRET).verify(password, Date.now())).toBe(TEST_REGISTRY_ID);
  });

  it("reports an ECR error by name and fails", async () => {
    const result = await awsEcr(berth.endpoint, [
      "describe-repositories",
      "--repository-names",
      "cli/absent",
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("RepositoryNotFoundException");
    expect(result.stderr).toContain("cli/absent");
  });

  it("signs requests that Berth verifies when credentials are configured", async () => {
    const signed = await startBerth({ storage: "memory", credentials: "AKIDCLI:cli-secret:222222222222" });
    try {
      const created = ok(
        await awsEcr(signed.endpoint, ["create-repository", "--repository-name", "cli/signed"], {
          id: "AKIDCLI",
          secret: "cli-secret",
        }),
      );
      expect((created.repository as { repositoryArn: string }).repositoryArn).toContain(
        ":222222222222:repository/cli/signed",
      );
      const wrong = await awsEcr(signed.endpoint, ["describe-repositories"], {
        id: "AKIDCLI",
        secret: "wrong",
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain("InvalidSignatureException");
    } finally {
      await signed.stop();
    }
  });
});
