/**
 * Repository creation templates end to end (issue 12, item 3), with @aws-sdk/client-ecr against a
 * real Berth: the four operations as the SDK parses them, and the templates at work on `/v2`
 * pushes. A push into a missing repository creates it only when a CREATE_ON_PUSH template covers it
 * (or `--create-on-push` assumes a ROOT one), shaped by that template.
 */
import {
  CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  paginateDescribeRepositoryCreationTemplates,
  UpdateRepositoryCreationTemplateCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectOciError, ociClient, pushImage, pushImageBlobs, putManifest } from "../support/oci-client.js";

const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "pull", Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }],
});
const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      action: { type: "expire" },
    },
  ],
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => ({ name: error.name, message: error.message }),
  );

describe("repository creation templates, with @aws-sdk/client-ecr", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    ecr = berth.client();
  });
  afterAll(() => berth?.stop());

  it("Create, Describe (paginated), Update and Delete answer as the model says", async () => {
    const created = await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: "svc",
        description: "services",
        appliedFor: ["CREATE_ON_PUSH", "REPLICATION"],
        imageTagMutability: "IMMUTABLE",
        resourceTags: [{ Key: "team", Value: "core" }],
        repositoryPolicy: POLICY,
        lifecyclePolicy: LIFECYCLE,
        customRoleArn: `arn:aws:iam::${TEST_REGISTRY_ID}:role/templates`,
      }),
    );
    expect(created.registryId).toBe(TEST_REGISTRY_ID);
    expect(created.repositoryCreationTemplate).toMatchObject({
      prefix: "svc",
      description: "services",
      appliedFor: ["CREATE_ON_PUSH", "REPLICATION"],
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: { encryptionType: "AES256" },
      resourceTags: [{ Key: "team", Value: "core" }],
      repositoryPolicy: POLICY,
      lifecyclePolicy: LIFECYCLE,
    });
    const createdAt = created.repositoryCreationTemplate?.createdAt;
    expect(createdAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - createdAt!.getTime())).toBeLessThan(60_000);

    for (const prefix of ["ROOT", "a", "b"]) {
      await ecr.send(
        new CreateRepositoryCreationTemplateCommand({ prefix, appliedFor: ["PULL_THROUGH_CACHE"] }),
      );
    }
    const pages = paginateDescribeRepositoryCreationTemplates({ client: ecr, pageSize: 2 }, {});
    const prefixes: string[] = [];
    for await (const page of pages) {
      expect(page.registryId).toBe(TEST_REGISTRY_ID);
      prefixes.push(...(page.repositoryCreationTemplates ?? []).map((t) => t.prefix!));
    }
    expect(prefixes).toEqual(["ROOT", "a", "b", "svc"]);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const updated = await ecr.send(
      new UpdateRepositoryCreationTemplateCommand({
        prefix: "svc/",
        imageTagMutability: "MUTABLE",
        description: "",
      }),
    );
    expect(updated.repositoryCreationTemplate).toMatchObject({
      prefix: "svc",
      imageTagMutability: "MUTABLE",
    });
    expect(updated.repositoryCreationTemplate?.description).toBeUndefined();
    expect(updated.repositoryCreationTemplate?.createdAt).toEqual(createdAt);
    expect(updated.repositoryCreationTemplate!.updatedAt!.getTime()).toBeGreaterThan(createdAt!.getTime());

    const described = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ["svc"] }));
    expect(described.repositoryCreationTemplates).toEqual([updated.repositoryCreationTemplate]);

    const deleted = await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: "a" }));
    expect(deleted.repositoryCreationTemplate?.prefix).toBe("a");
    expect(await errorOf(ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: "a" })))).toEqual({
      name: "TemplateNotFoundException",
      message: `The repository creation template with prefix 'a' does not exist in the registry with id '${TEST_REGISTRY_ID}'`,
    });
  });

  it("refuses with ECR's exceptions: TemplateAlreadyExists, TemplateNotFound, InvalidParameter, Validation", async () => {
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({ prefix: "dup", appliedFor: ["REPLICATION"] }),
    );
    const cases = [
      new CreateRepositoryCreationTemplateCommand({ prefix: "dup/", appliedFor: ["REPLICATION"] }),
      new UpdateRepositoryCreationTemplateCommand({ prefix: "missing", description: "x" }),
      new CreateRepositoryCreationTemplateCommand({ prefix: "Bad Prefix", appliedFor: ["REPLICATION"] }),
      new CreateRepositoryCreationTemplateCommand({
        prefix: "x",
        appliedFor: ["REPLICATION"],
        repositoryPolicy: "{",
      }),
      new CreateRepositoryCreationTemplateCommand({ prefix: "x", appliedFor: [] }),
    ];
    const names = [];
    for (const command of cases) names.push((await errorOf(ecr.send(command as never)))?.name);
    expect(names).toEqual([
      "TemplateAlreadyExistsException",
      "TemplateNotFoundException",
      "InvalidParameterException",
      "InvalidParameterException",
      "ValidationException",
    ]);
  });

  it("a /v2 push into a CREATE_ON_PUSH template's prefix creates the repository as the template says", async () => {
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: "pushed",
        appliedFor: ["CREATE_ON_PUSH"],
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }],
        resourceTags: [{ Key: "owner", Value: "ci" }],
        repositoryPolicy: POLICY,
        lifecyclePolicy: LIFECYCLE,
      }),
    );
    // A REPLICATION-only template is more specific but not for pushes: the CREATE_ON_PUSH one applies.
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({ prefix: "pushed/app", appliedFor: ["REPLICATION"] }),
    );
    const oci = ociClient(berth.endpoint);
    const repositoryName = "pushed/app/web";
    await pushImage(oci, repositoryName, "v1");

    const [repository] =
      (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }))).repositories ??
      [];
    expect(repository).toMatchObject({
      repositoryName,
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }],
      encryptionConfiguration: { encryptionType: "AES256" },
    });
    const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository!.repositoryArn }));
    expect(tags.tags).toEqual([{ Key: "owner", Value: "ci" }]);
    const policy = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }));
    expect(policy.policyText).toBe(POLICY);
    const lifecycle = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    expect(lifecycle.lifecyclePolicyText).toBe(LIFECYCLE);

    // The template's mutability holds: v1 cannot move, latest* can.
    const other = await pushImageBlobs(oci, repositoryName, "another image");
    const moved = await putManifest(oci, repositoryName, "v1", other.manifest);
    expect(moved.status).toBe(400);
    expect(await moved.json()).toMatchObject({ errors: [{ code: "TAG_INVALID" }] });
    expect((await putManifest(oci, repositoryName, "latest", other.manifest)).status).toBe(201);
  });

  it("without a template that covers it (and without --create-on-push) a push is refused as before", async () => {
    const oci = ociClient(berth.endpoint);
    const upload = await oci.request("/v2/elsewhere/app/blobs/uploads/", { method: "POST" });
    await expectOciError(upload, 404, "NAME_UNKNOWN");
    const manifest = JSON.stringify({ schemaVersion: 2 });
    await expectOciError(await putManifest(oci, "elsewhere/app", "v1", manifest), 404, "NAME_UNKNOWN");
    const names = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map(
      (r) => r.repositoryName,
    );
    expect(names).not.toContain("elsewhere/app");
  });
});

describe("--create-on-push: an implicit ROOT CREATE_ON_PUSH template", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", createOnPush: true });
    ecr = berth.client();
  });
  afterAll(() => berth?.stop());

  it("creates a repository no template covers with ECR's defaults, and yields to a template that covers it", async () => {
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: "locked",
        appliedFor: ["CREATE_ON_PUSH"],
        imageTagMutability: "IMMUTABLE",
      }),
    );
    const oci = ociClient(berth.endpoint);
    await pushImage(oci, "free/app", "v1");
    await pushImage(oci, "locked/app", "v1");
    const repositories = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repositories.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
      ["free/app", "MUTABLE"],
      ["locked/app", "IMMUTABLE"],
    ]);
    // The implicit template is the server's setting, not the registry's: Describe does not list it.
    const templates = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({}));
    expect(templates.repositoryCreationTemplates?.map((t) => t.prefix)).toEqual(["locked"]);
  });
});
