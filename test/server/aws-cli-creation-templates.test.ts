/**
 * The aws CLI against the repository creation template operations (issue 12, item 3): the four
 * commands as a user types them, the CLI's own pagination of describe, and an error by its code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEcr, ok, requireAwsCli } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";

describe("aws ecr *-repository-creation-template(s)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    await requireAwsCli();
    berth = await startBerth({ storage: "memory" });
  });
  afterAll(() => berth?.stop());

  it("create, describe (paged by the CLI), update, delete; deleting twice is TemplateNotFoundException", async () => {
    const cli = (args: string[]) => awsEcr(berth.endpoint, args);
    const created = ok(
      await cli([
        "create-repository-creation-template",
        "--prefix",
        "builds",
        "--applied-for",
        "CREATE_ON_PUSH",
        "PULL_THROUGH_CACHE",
        "--image-tag-mutability",
        "IMMUTABLE_WITH_EXCLUSION",
        "--image-tag-mutability-exclusion-filters",
        "filterType=WILDCARD,filter=dev-*",
        "--resource-tags",
        "Key=cost,Value=ci",
      ]),
    );
    expect(created).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryCreationTemplate: {
        prefix: "builds",
        appliedFor: ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"],
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
        resourceTags: [{ Key: "cost", Value: "ci" }],
      },
    });
    await Promise.all(
      ["ROOT", "cache"].map(async (prefix) =>
        ok(
          await cli([
            "create-repository-creation-template",
            "--prefix",
            prefix,
            "--applied-for",
            "REPLICATION",
          ]),
        ),
      ),
    );
    const described = ok(await cli(["describe-repository-creation-templates", "--page-size", "1"])) as {
      repositoryCreationTemplates: Array<{ prefix: string }>;
    };
    expect(described.repositoryCreationTemplates.map((t) => t.prefix)).toEqual(["ROOT", "builds", "cache"]);

    const updated = ok(
      await cli([
        "update-repository-creation-template",
        "--prefix",
        "builds",
        "--image-tag-mutability",
        "MUTABLE",
      ]),
    ) as { repositoryCreationTemplate: Record<string, unknown> };
    expect(updated.repositoryCreationTemplate.imageTagMutability).toBe("MUTABLE");
    expect(updated.repositoryCreationTemplate.imageTagMutabilityExclusionFilters).toBeUndefined();

    ok(await cli(["delete-repository-creation-template", "--prefix", "builds"]));
    const again = await cli(["delete-repository-creation-template", "--prefix", "builds"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("TemplateNotFoundException");
  }, 60_000);
});
