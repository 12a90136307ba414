/**
 * skopeo pushes shaped by repository creation templates, on the stores that keep their events (the
 * SDK suite in test/server covers memory): the template is recorded in the registry's stream, and
 * the repository a push creates in its own, with the template's settings.
 */
import {
  CreateRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import { buildImage, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["postgres", "embedded"];
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }],
});

describe.each(STORAGES)("skopeo pushes and creation templates on %s storage", (storage) => {
  let berth: RunningBerth;
  let skopeo: Skopeo;
  let source: string;
  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    berth = await startBerth({ storage });
    source = await skopeo.scratch("layout-src");
    await writeLayout(source, [{ name: "v1", image: buildImage({ seed: `templates-${storage}` }) }]);
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
  });

  it("a push under a CREATE_ON_PUSH template's prefix creates the repository as the template says; elsewhere it is refused", async () => {
    const ecr = berth.client();
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: "mirror/",
        appliedFor: ["CREATE_ON_PUSH"],
        imageTagMutability: "IMMUTABLE",
        resourceTags: [{ Key: "source", Value: "skopeo" }],
        repositoryPolicy: POLICY,
      }),
    );
    await skopeo([
      "copy",
      "--dest-tls-verify=false",
      `oci:${source}:v1`,
      dockerRef(berth.port, "mirror/app:v1"),
    ]);
    await expect(
      skopeo(["copy", "--dest-tls-verify=false", `oci:${source}:v1`, dockerRef(berth.port, "stray/app:v1")]),
    ).rejects.toThrow(/name unknown|NAME_UNKNOWN/i);

    const repositories = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repositories.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
      ["mirror/app", "IMMUTABLE"],
    ]);
    const tags = await ecr.send(
      new ListTagsForResourceCommand({ resourceArn: repositories[0]!.repositoryArn }),
    );
    expect(tags.tags).toEqual([{ Key: "source", Value: "skopeo" }]);
    const policy = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "mirror/app" }));
    expect(policy.policyText).toBe(POLICY);
  }, 60_000);
});
