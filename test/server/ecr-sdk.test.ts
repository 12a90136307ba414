/**
 * The ECR JSON API driven by the real `@aws-sdk/client-ecr`: every operation Berth serves and every
 * error the core can return, as the SDK sees them (error.name, status 400). Runs on memory and on
 * PostgreSQL storage; Postgres never skips (acquirePostgres throws without a database).
 */
import { createHash } from "node:crypto";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  paginateDescribeRepositories,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
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
  bytesOf,
  configBlob,
  expectEcrError,
  imageManifest,
  MiB,
  OCI_INDEX,
  OCI_MANIFEST,
  pushImage,
  sha256,
  uploadBlob,
} from "./ecr-helpers.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];

const policy = (sid: string, action = "ecr:BatchGetImage") =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Principal: { AWS: "*" }, Action: [action] }],
  });

const arnOf = (repositoryName: string) =>
  `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/${repositoryName}`;

describe.each(STORAGES)("ECR API through @aws-sdk/client-ecr on %s storage", (storage) => {
  let berth: RunningBerth;
  let ecr: ECRClient;

  beforeAll(async () => {
    berth = await startBerth({ storage });
    ecr = berth.client();
  });
  afterAll(async () => {
    await berth?.stop();
  });

  const create = (
    repositoryName: string,
    extra: Omit<ConstructorParameters<typeof CreateRepositoryCommand>[0], "repositoryName"> = {},
  ) => ecr.send(new CreateRepositoryCommand({ repositoryName, ...extra }));

  describe("operations", () => {
    it("CreateRepository, DescribeRepositories (paginated) and PutImageTagMutability", async () => {
      const names = ["pages/a", "pages/b", "pages/c", "pages/d", "pages/e"];
      for (const name of names) {
        const { repository } = await create(name, { tags: [{ Key: "team", Value: "pages" }] });
        expect(repository).toMatchObject({
          registryId: TEST_REGISTRY_ID,
          repositoryName: name,
          repositoryArn: arnOf(name),
          repositoryUri: `localhost:${berth.port}/${name}`,
          imageTagMutability: "MUTABLE",
          encryptionConfiguration: { encryptionType: "AES256" },
          imageScanningConfiguration: { scanOnPush: false },
        });
        // Epoch seconds on the wire become a Date in the SDK.
        expect(repository?.createdAt).toBeInstanceOf(Date);
        expect(Math.abs((repository?.createdAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      }

      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await ecr.send(
          new DescribeRepositoriesCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }),
        );
        expect(page.repositories?.length ?? 0).toBeLessThanOrEqual(2);
        seen.push(...(page.repositories ?? []).map((r) => r.repositoryName ?? ""));
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken !== undefined && pages < 100);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(new Set(seen).size).toBe(seen.length); // each repository exactly once
      for (const name of names) expect(seen).toContain(name);

      // The SDK's own paginator follows the same tokens.
      const paginated: string[] = [];
      for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 3 }, {})) {
        paginated.push(...(page.repositories ?? []).map((r) => r.repositoryName ?? ""));
      }
      expect(paginated).toEqual(seen);

      const mutability = await ecr.send(
        new PutImageTagMutabilityCommand({ repositoryName: "pages/c", imageTagMutability: "IMMUTABLE" }),
      );
      expect(mutability).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName: "pages/c",
        imageTagMutability: "IMMUTABLE",
      });
      const described = await ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: ["pages/c", "pages/a"] }),
      );
      expect(described.repositories?.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
        ["pages/c", "IMMUTABLE"],
        ["pages/a", "MUTABLE"],
      ]);
    });

    it("uploads a layer in two parts, pushes, lists, describes, pulls, downloads and deletes images", async () => {
      const repositoryName = "flow/app";
      await create(repositoryName);

      // Layer upload: 5 MiB first part, then the rest.
      const layer = bytesOf(5 * MiB + 4321, 1);
      const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      expect(uploadId).toMatch(/^[0-9a-f-]{36}$/);
      expect(partSize).toBe(5 * MiB);
      const first = await ecr.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: 5 * MiB - 1,
          layerPartBlob: layer.subarray(0, 5 * MiB),
        }),
      );
      expect(first).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        uploadId,
        lastByteReceived: 5 * MiB - 1,
      });
      const second = await ecr.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: 5 * MiB,
          partLastByte: layer.length - 1,
          layerPartBlob: layer.subarray(5 * MiB),
        }),
      );
      expect(second.lastByteReceived).toBe(layer.length - 1);
      const layerDigest = sha256(layer);
      const completed = await ecr.send(
        new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [layerDigest] }),
      );
      expect(completed).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        uploadId,
        layerDigest,
      });

      const config = configBlob("flow");
      const configDigest = await uploadBlob(ecr, repositoryName, config);

      const missing = sha256("not uploaded");
      const availability = await ecr.send(
        new BatchCheckLayerAvailabilityCommand({
          repositoryName,
          layerDigests: [layerDigest, configDigest, missing, "garbage"],
        }),
      );
      expect(availability.layers).toEqual([
        { layerDigest, layerAvailability: "AVAILABLE", layerSize: layer.length },
        { layerDigest: configDigest, layerAvailability: "AVAILABLE", layerSize: config.length },
      ]);
      expect(availability.failures?.map((f) => [f.layerDigest, f.failureCode])).toEqual([
        [missing, "MissingLayerDigest"],
        ["garbage", "InvalidLayerDigest"],
      ]);

      // PutImage: tagged, the same manifest under a second tag, and an untagged sibling.
      const image = imageManifest(config, [layer]);
      const put = await ecr.send(
        new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: "v1" }),
      );
      expect(put.image).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        imageId: { imageDigest: image.digest, imageTag: "v1" },
        imageManifest: image.manifest,
        imageManifestMediaType: OCI_MANIFEST,
      });
      await ecr.send(
        new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: "latest" }),
      );
      const untagged = imageManifest(config, [layer], "untagged sibling");
      await ecr.send(
        new PutImageCommand({
          repositoryName,
          imageManifest: untagged.manifest,
          imageDigest: untagged.digest,
        }),
      );

      const got = await ecr.send(
        new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }, { imageTag: "absent" }] }),
      );
      expect(got.images).toHaveLength(1);
      expect(got.images?.[0]?.imageManifest).toBe(image.manifest); // byte-exact
      expect(got.images?.[0]?.imageId).toEqual({ imageDigest: image.digest, imageTag: "v1" });
      expect(got.images?.[0]?.imageManifestMediaType).toBe(OCI_MANIFEST);
      expect(got.failures?.map((f) => f.failureCode)).toEqual(["ImageNotFound"]);

      const described = await ecr.send(
        new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: image.digest }] }),
      );
      expect(described.imageDetails).toHaveLength(1);
      const detail = described.imageDetails?.[0];
      expect(detail).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        imageDigest: image.digest,
        imageSizeInBytes: layer.length,
        imageManifestMediaType: OCI_MANIFEST,
      });
      expect([...(detail?.imageTags ?? [])].sort()).toEqual(["latest", "v1"]);
      expect(detail?.imagePushedAt).toBeInstanceOf(Date);
      expect(Math.abs((detail?.imagePushedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      const all = await ecr.send(new DescribeImagesCommand({ repositoryName }));
      expect(all.imageDetails?.map((d) => d.imageDigest).sort()).toEqual(
        [image.digest, untagged.digest].sort(),
      );

      const tagged = await ecr.send(
        new ListImagesCommand({ repositoryName, filter: { tagStatus: "TAGGED" } }),
      );
      expect(tagged.imageIds?.map((id) => `${id.imageDigest}:${id.imageTag}`).sort()).toEqual(
        [`${image.digest}:latest`, `${image.digest}:v1`].sort(),
      );
      const untaggedIds = await ecr.send(
        new ListImagesCommand({ repositoryName, filter: { tagStatus: "UNTAGGED" } }),
      );
      expect(untaggedIds.imageIds).toEqual([{ imageDigest: untagged.digest }]);
      // Paginated: one id per page, each id exactly once.
      const paged: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecr.send(
          new ListImagesCommand({ repositoryName, maxResults: 1, ...(nextToken ? { nextToken } : {}) }),
        );
        paged.push(...(page.imageIds ?? []).map((id) => `${id.imageDigest}:${id.imageTag ?? ""}`));
        nextToken = page.nextToken;
      } while (nextToken !== undefined && paged.length < 10);
      expect(paged.sort()).toEqual(
        [`${image.digest}:latest`, `${image.digest}:v1`, `${untagged.digest}:`].sort(),
      );

      // GetDownloadUrlForLayer: the URL serves the layer's bytes, and ranges of them.
      const download = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest }));
      expect(download.layerDigest).toBe(layerDigest);
      expect(download.downloadUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${berth.port}/`));
      const whole = await fetch(download.downloadUrl ?? "");
      expect(whole.status).toBe(200);
      const body = new Uint8Array(await whole.arrayBuffer());
      expect(body.length).toBe(layer.length);
      expect(sha256(body)).toBe(layerDigest);
      const ranged = await fetch(download.downloadUrl ?? "", { headers: { range: "bytes=100-1123" } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get("content-range")).toBe(`bytes 100-1123/${layer.length}`);
      const slice = new Uint8Array(await ranged.arrayBuffer());
      expect(createHash("sha256").update(slice).digest("hex")).toBe(
        createHash("sha256").update(layer.subarray(100, 1124)).digest("hex"),
      );
      const tampered = new URL(download.downloadUrl ?? "");
      tampered.searchParams.set("expires", String(Date.now() + 10 * 3600_000));
      expect((await fetch(tampered)).status).toBe(403);

      // BatchDeleteImage: one tag goes, an unknown digest is reported as a failure.
      const deleted = await ecr.send(
        new BatchDeleteImageCommand({
          repositoryName,
          imageIds: [{ imageTag: "latest" }, { imageDigest: missing }],
        }),
      );
      expect(deleted.imageIds).toEqual([{ imageDigest: image.digest, imageTag: "latest" }]);
      expect(deleted.failures).toEqual([
        {
          imageId: { imageDigest: missing },
          failureCode: "ImageNotFound",
          failureReason: "Requested image not found",
        },
      ]);
      const left = await ecr.send(new ListImagesCommand({ repositoryName, filter: { tagStatus: "TAGGED" } }));
      expect(left.imageIds).toEqual([{ imageDigest: image.digest, imageTag: "v1" }]);

      // DeleteRepository with force removes a repository that still holds images.
      const gone = await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
      expect(gone.repository).toMatchObject({ repositoryName, repositoryArn: arnOf(repositoryName) });
      await expectEcrError(
        ecr.send(new ListImagesCommand({ repositoryName })),
        "RepositoryNotFoundException",
      );
    });

    it("takes parts of several layers at once, each intact (large request bodies share a lent buffer)", async () => {
      const repositoryName = "flow/concurrent-parts";
      await create(repositoryName);
      // Bodies of 1 MiB and more borrow one spare buffer in turn: a part read into a buffer still
      // in use by another would change a layer's bytes, and its digest would not match.
      const layers = [1, 2, 3, 4].map((seed) => bytesOf(2 * 5 * MiB + seed * 1000, seed));
      const digests = await Promise.all(
        layers.map((layer) => uploadBlob(ecr, repositoryName, layer, [5 * MiB, 5 * MiB])),
      );
      expect(digests).toEqual(layers.map((layer) => sha256(layer)));
    });

    it("Set/Get/DeleteRepositoryPolicy and Put/Get/DeleteRegistryPolicy", async () => {
      const repositoryName = "policy/app";
      await create(repositoryName);
      const text = policy("pull");
      expect(
        await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: text })),
      ).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        policyText: text,
      });
      expect((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText).toBe(text);
      expect((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName }))).policyText).toBe(text);
      await expectEcrError(
        ecr.send(new GetRepositoryPolicyCommand({ repositoryName })),
        "RepositoryPolicyNotFoundException",
      );

      const registryText = policy("registry", "ecr:ReplicateImage");
      expect(await ecr.send(new PutRegistryPolicyCommand({ policyText: registryText }))).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        policyText: registryText,
      });
      expect(await ecr.send(new GetRegistryPolicyCommand({}))).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        policyText: registryText,
      });
      expect((await ecr.send(new DeleteRegistryPolicyCommand({}))).policyText).toBe(registryText);
      await expectEcrError(ecr.send(new GetRegistryPolicyCommand({})), "RegistryPolicyNotFoundException");
    });

    it("TagResource, UntagResource and ListTagsForResource", async () => {
      const repositoryName = "tags/app";
      await create(repositoryName, { tags: [{ Key: "team", Value: "core" }] });
      const resourceArn = arnOf(repositoryName);
      await ecr.send(
        new TagResourceCommand({
          resourceArn,
          tags: [
            { Key: "env", Value: "test" },
            { Key: "team", Value: "platform" },
          ],
        }),
      );
      const listed = await ecr.send(new ListTagsForResourceCommand({ resourceArn }));
      expect([...(listed.tags ?? [])].sort((a, b) => (a.Key ?? "").localeCompare(b.Key ?? ""))).toEqual([
        { Key: "env", Value: "test" },
        { Key: "team", Value: "platform" },
      ]);
      await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ["team", "never-set"] }));
      expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
        { Key: "env", Value: "test" },
      ]);
    });

    it("DescribeRegistry", async () => {
      const registry = await ecr.send(new DescribeRegistryCommand({}));
      expect(registry.registryId).toBe(TEST_REGISTRY_ID);
      expect(registry.replicationConfiguration).toEqual({ rules: [] });
    });

    it("GetAuthorizationToken: base64 AWS:<password>, 12 hours, this server as proxyEndpoint", async () => {
      const before = Date.now();
      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      expect(authorizationData).toHaveLength(1);
      const data = authorizationData?.[0];
      const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
      expect(decoded).toMatch(/^AWS:[A-Za-z0-9_.-]{16,}$/);
      const expiresIn = (data?.expiresAt?.getTime() ?? 0) - before;
      expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 60_000);
      expect(expiresIn).toBeLessThan(12 * 3600_000 + 60_000);
      expect(data?.proxyEndpoint).toBe(`http://127.0.0.1:${berth.port}`);
    });
  });

  describe("errors, as the SDK names them (status 400)", () => {
    const repositoryName = "errors/app";
    const immutable = "errors/immutable";
    let pushed: Awaited<ReturnType<typeof pushImage>>;

    beforeAll(async () => {
      await create(repositoryName);
      await create(immutable, { imageTagMutability: "IMMUTABLE" });
      pushed = await pushImage(ecr, repositoryName, { tag: "v1", layers: [bytesOf(2048, 7)] });
    });

    it("RepositoryNotFoundException", async () => {
      const error = await expectEcrError(
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["errors/nope"] })),
        "RepositoryNotFoundException",
      );
      expect(error.message).toContain("errors/nope");
      await expectEcrError(
        ecr.send(new DeleteRepositoryCommand({ repositoryName: "errors/nope" })),
        "RepositoryNotFoundException",
      );
      await expectEcrError(
        ecr.send(new InitiateLayerUploadCommand({ repositoryName: "errors/nope" })),
        "RepositoryNotFoundException",
      );
    });

    it("RepositoryAlreadyExistsException", async () => {
      await expectEcrError(create(repositoryName), "RepositoryAlreadyExistsException");
    });

    it("RepositoryNotEmptyException", async () => {
      await expectEcrError(
        ecr.send(new DeleteRepositoryCommand({ repositoryName })),
        "RepositoryNotEmptyException",
      );
    });

    it("RepositoryPolicyNotFoundException and RegistryPolicyNotFoundException", async () => {
      await expectEcrError(
        ecr.send(new GetRepositoryPolicyCommand({ repositoryName })),
        "RepositoryPolicyNotFoundException",
      );
      await expectEcrError(
        ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName })),
        "RepositoryPolicyNotFoundException",
      );
      await expectEcrError(ecr.send(new GetRegistryPolicyCommand({})), "RegistryPolicyNotFoundException");
      await expectEcrError(ecr.send(new DeleteRegistryPolicyCommand({})), "RegistryPolicyNotFoundException");
    });

    it("InvalidParameterException: a bad repository name, a codec failure naming its member", async () => {
      const badName = await expectEcrError(create("Bad_Name!"), "InvalidParameterException");
      expect(badName.message).toContain("'repositoryName'");
      expect(badName.message).toContain("Bad_Name!");
      const tooMany = await expectEcrError(
        ecr.send(new DescribeRepositoriesCommand({ maxResults: 5000 })),
        "InvalidParameterException",
      );
      expect(tooMany.message).toMatch(/'maxResults'/);
      const badPolicy = await expectEcrError(
        ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: "not json" })),
        "InvalidParameterException",
      );
      expect(badPolicy.message).not.toBe("");
      const badToken = await expectEcrError(
        ecr.send(new ListImagesCommand({ repositoryName, nextToken: "forged" })),
        "InvalidParameterException",
      );
      expect(badToken.message).toContain("nextToken");
    });

    it("InvalidParameterException for text no storage can hold (NUL, unpaired surrogates), alike on every storage", async () => {
      const nul = await expectEcrError(
        ecr.send(
          new TagResourceCommand({
            resourceArn: arnOf(repositoryName),
            tags: [{ Key: "k", Value: "a\u0000b" }],
          }),
        ),
        "InvalidParameterException",
      );
      expect(nul.message).toContain("'tags.1.member.Value'");
      const surrogate = await expectEcrError(
        ecr.send(
          new PutImageCommand({ repositoryName, imageManifest: pushed.manifest, imageTag: "half\ud800" }),
        ),
        "InvalidParameterException",
      );
      expect(surrogate.message).toContain("'imageTag'");
      // A well-formed pair (an emoji) is ordinary text.
      await ecr.send(
        new TagResourceCommand({
          resourceArn: arnOf(repositoryName),
          tags: [{ Key: "emoji", Value: "\u{1F680}" }],
        }),
      );
      const tags = (await ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf(repositoryName) })))
        .tags;
      expect(tags).toContainEqual({ Key: "emoji", Value: "\u{1F680}" });
      await ecr.send(new UntagResourceCommand({ resourceArn: arnOf(repositoryName), tagKeys: ["emoji"] }));
    });

    it("InvalidTagParameterException and TooManyTagsException", async () => {
      const resourceArn = arnOf(repositoryName);
      await expectEcrError(
        ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: "aws:reserved", Value: "x" }] })),
        "InvalidTagParameterException",
      );
      const thirty = (prefix: string) =>
        Array.from({ length: 30 }, (_, i) => ({ Key: `${prefix}${i}`, Value: "v" }));
      await ecr.send(new TagResourceCommand({ resourceArn, tags: thirty("a") }));
      const error = await expectEcrError(
        ecr.send(new TagResourceCommand({ resourceArn, tags: thirty("b") })),
        "TooManyTagsException",
      );
      expect(error.message).toContain("60");
      expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toHaveLength(30);
    });

    it("ImageAlreadyExistsException, ImageTagAlreadyExistsException, ImageDigestDoesNotMatchException", async () => {
      await expectEcrError(
        ecr.send(new PutImageCommand({ repositoryName, imageManifest: pushed.manifest, imageTag: "v1" })),
        "ImageAlreadyExistsException",
      );
      await expectEcrError(
        ecr.send(new PutImageCommand({ repositoryName, imageManifest: pushed.manifest })),
        "ImageAlreadyExistsException",
      );
      await pushImage(ecr, immutable, { tag: "stable", note: "first" });
      await expectEcrError(
        pushImage(ecr, immutable, { tag: "stable", note: "second" }),
        "ImageTagAlreadyExistsException",
      );
      const error = await expectEcrError(
        ecr.send(
          new PutImageCommand({
            repositoryName,
            imageManifest: pushed.manifest,
            imageDigest: sha256("other"),
          }),
        ),
        "ImageDigestDoesNotMatchException",
      );
      expect(error.message).toContain(pushed.digest);
    });

    it("ImageNotFoundException", async () => {
      await expectEcrError(
        ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: "never-pushed" }] })),
        "ImageNotFoundException",
      );
    });

    it("LayersNotFoundException, ReferencedImagesNotFoundException, LayerInaccessibleException", async () => {
      const orphan = imageManifest(configBlob("orphan"), [bytesOf(64, 9)]);
      const missingLayers = await expectEcrError(
        ecr.send(new PutImageCommand({ repositoryName, imageManifest: orphan.manifest, imageTag: "orphan" })),
        "LayersNotFoundException",
      );
      expect(missingLayers.message).toContain(orphan.configDigest);
      await expectEcrError(
        ecr.send(
          new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: sha256("never uploaded") }),
        ),
        "LayersNotFoundException",
      );

      const missingChild = sha256("no such manifest");
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: pushed.digest, size: pushed.manifest.length },
          { mediaType: OCI_MANIFEST, digest: missingChild, size: 100 },
        ],
      });
      const referenced = await expectEcrError(
        ecr.send(new PutImageCommand({ repositoryName, imageManifest: index, imageTag: "multi" })),
        "ReferencedImagesNotFoundException",
      );
      expect(referenced.message).toContain(missingChild);
      expect(referenced.message).not.toContain(pushed.digest);

      const unreferenced = await uploadBlob(ecr, repositoryName, bytesOf(100, 11));
      await expectEcrError(
        ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: unreferenced })),
        "LayerInaccessibleException",
      );
    });

    it("LayerAlreadyExistsException", async () => {
      await expectEcrError(uploadBlob(ecr, repositoryName, pushed.config), "LayerAlreadyExistsException");
    });

    it("LayerPartTooSmallException, EmptyUploadException, InvalidLayerException, UploadNotFoundException", async () => {
      const small = bytesOf(300, 13);
      await expectEcrError(uploadBlob(ecr, repositoryName, small, [100]), "LayerPartTooSmallException");

      const { uploadId: empty } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      await expectEcrError(
        ecr.send(
          new CompleteLayerUploadCommand({ repositoryName, uploadId: empty, layerDigests: [sha256("")] }),
        ),
        "EmptyUploadException",
      );

      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      await ecr.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: 9,
          layerPartBlob: small.subarray(0, 10),
        }),
      );
      const invalid = await expectEcrError(
        ecr.send(
          new CompleteLayerUploadCommand({
            repositoryName,
            uploadId,
            layerDigests: [sha256("something else")],
          }),
        ),
        "InvalidLayerException",
      );
      expect(invalid.message).toContain(sha256(small.subarray(0, 10)));
      // A layer that failed its digest is discarded: its upload is gone.
      await expectEcrError(
        ecr.send(
          new CompleteLayerUploadCommand({
            repositoryName,
            uploadId,
            layerDigests: [sha256(small.subarray(0, 10))],
          }),
        ),
        "UploadNotFoundException",
      );
      await expectEcrError(
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName,
            uploadId: "00000000-0000-4000-8000-000000000000",
            partFirstByte: 0,
            partLastByte: 0,
            layerPartBlob: new Uint8Array([1]),
          }),
        ),
        "UploadNotFoundException",
      );
    });

    it("InvalidLayerPartException carries lastValidByteReceived; a refused part changes nothing", async () => {
      const split = 5 * MiB; // every part but the last must be at least 5 MiB
      const bytes = bytesOf(split + 30, 17);
      const last = split - 1;
      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      const part = (first: number, lastByte: number, blob: Uint8Array) =>
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName,
            uploadId,
            partFirstByte: first,
            partLastByte: lastByte,
            layerPartBlob: blob,
          }),
        );
      await part(0, last, bytes.subarray(0, split));
      const overlap = await expectEcrError(part(0, 9, bytes.subarray(0, 10)), "InvalidLayerPartException");
      expect(overlap).toMatchObject({
        registryId: TEST_REGISTRY_ID,
        repositoryName,
        uploadId,
        lastValidByteReceived: last,
      });
      expect(overlap.message).toContain(String(last));
      const gap = await expectEcrError(
        part(split + 10, split + 19, bytes.subarray(split + 10, split + 20)),
        "InvalidLayerPartException",
      );
      expect(gap.lastValidByteReceived).toBe(last);
      // The range declares 10 bytes, the blob holds 5 (then 12): refused, and nothing was written.
      const short = await expectEcrError(
        part(split, split + 9, new Uint8Array(5)),
        "InvalidLayerPartException",
      );
      expect(short.lastValidByteReceived).toBe(last);
      const long = await expectEcrError(
        part(split, split + 9, new Uint8Array(12)),
        "InvalidLayerPartException",
      );
      expect(long.lastValidByteReceived).toBe(last);
      await part(split, split + 29, bytes.subarray(split));
      const digest = sha256(bytes);
      expect(
        (await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] })))
          .layerDigest,
      ).toBe(digest);

      const fresh = (await ecr.send(new InitiateLayerUploadCommand({ repositoryName }))).uploadId;
      const none = await expectEcrError(
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName,
            uploadId: fresh,
            partFirstByte: 5,
            partLastByte: 9,
            layerPartBlob: bytes.subarray(5, 10),
          }),
        ),
        "InvalidLayerPartException",
      );
      expect(none.lastValidByteReceived).toBe(-1);
    });
  });
});
