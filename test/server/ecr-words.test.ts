/**
 * ECR's words and the members ECR honours, as `@aws-sdk/client-ecr` sees them (issue 11, items 6
 * and 7): the messages suites written against ECR compare verbatim, tag limits with their own
 * exceptions, KMS defaults, policy documents, SetRepositoryPolicy's force.
 */
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  type ECRClient,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectEcrError, pushImage } from "./ecr-helpers.js";

const tagsOf = (count: number, prefix = "k") =>
  Array.from({ length: count }, (_, i) => ({ Key: `${prefix}${i}`, Value: "v" }));

describe("ECR's words through @aws-sdk/client-ecr", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  const repositoryName = "words/app";
  const arn = `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/${repositoryName}`;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    ecr = berth.client();
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("RepositoryNotFoundException, RepositoryAlreadyExistsException, RepositoryNotEmptyException", async () => {
    const missing = await expectEcrError(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: "words/missing" })),
      "RepositoryNotFoundException",
    );
    expect(missing.message).toBe(
      `The repository with name 'words/missing' does not exist in the registry with id '${TEST_REGISTRY_ID}'`,
    );
    const taken = await expectEcrError(
      ecr.send(new CreateRepositoryCommand({ repositoryName })),
      "RepositoryAlreadyExistsException",
    );
    expect(taken.message).toBe(
      `The repository with name '${repositoryName}' already exists in the registry with id '${TEST_REGISTRY_ID}'`,
    );
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "words/full" }));
    const image = await pushImage(ecr, "words/full", { tag: "v1" });
    const full = await expectEcrError(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: "words/full" })),
      "RepositoryNotEmptyException",
    );
    expect(full.message).toBe(
      `The repository with name 'words/full' in registry with id '${TEST_REGISTRY_ID}' cannot be deleted because it still contains images`,
    );
    const again = await expectEcrError(
      ecr.send(
        new PutImageCommand({ repositoryName: "words/full", imageManifest: image.manifest, imageTag: "v1" }),
      ),
      "ImageAlreadyExistsException",
    );
    expect(again.message).toBe(
      `Image with digest '${image.digest}' and tag 'v1' already exists in the repository with name 'words/full' in registry with id '${TEST_REGISTRY_ID}'`,
    );
  });

  it("an invalid ARN, an enum value outside the set, a manifest without a media type", async () => {
    const badArn = await expectEcrError(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:s3:::bucket" })),
      "InvalidParameterException",
    );
    expect(badArn.message).toBe(
      "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'",
    );
    const badEnum = await expectEcrError(
      ecr.send(
        new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: "SOMETIMES" as "MUTABLE" }),
      ),
      "InvalidParameterException",
    );
    expect(badEnum.message).toBe(
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'",
    );
    const noMediaType = await expectEcrError(
      ecr.send(
        new PutImageCommand({
          repositoryName,
          imageManifest: JSON.stringify({ schemaVersion: 2, manifests: [] }),
        }),
      ),
      "InvalidParameterException",
    );
    expect(noMediaType.message).toBe("image manifest mediatype not provided in manifest or parameter");
  });

  it("BatchDeleteImage: InvalidImageDigest with ECR's reason", async () => {
    const answer = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageDigest: "not-a-digest" }] }),
    );
    expect(answer.failures).toEqual([
      {
        imageId: { imageDigest: "not-a-digest" },
        failureCode: "InvalidImageDigest",
        failureReason:
          "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      },
    ]);
  });

  it("tag limits: TooManyTagsException and InvalidTagParameterException, in CreateRepository and TagResource", async () => {
    await expectEcrError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: "words/tags", tags: tagsOf(51) })),
      "TooManyTagsException",
    );
    await expectEcrError(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: "words/tags",
          tags: [{ Key: "k".repeat(129), Value: "v" }],
        }),
      ),
      "InvalidTagParameterException",
    );
    await expectEcrError(
      ecr.send(new TagResourceCommand({ resourceArn: arn, tags: tagsOf(51, "t") })),
      "TooManyTagsException",
    );
    await expectEcrError(
      ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "k", Value: "v".repeat(257) }] })),
      "InvalidTagParameterException",
    );
    await ecr.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "k".repeat(128), Value: "v".repeat(256) }] }),
    );
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toHaveLength(1);
  });
});
