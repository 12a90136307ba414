/**
 * ECR's words and the members ECR honours, as `@aws-sdk/client-ecr` sees them (issue 11, items 6
 * and 7): the messages suites written against ECR compare verbatim, tag limits with their own
 * exceptions, KMS defaults, policy documents, SetRepositoryPolicy's force.
 */
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  type ECRClient,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectEcrError, OCI_CONFIG, OCI_LAYER, pushImage } from "./ecr-helpers.js";

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

const policyOf = (effect: "Allow" | "Deny", actions: ReadonlyArray<string>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Principal: "*", Action: actions }] });

describe("members ECR honours, through @aws-sdk/client-ecr", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", region: "eu-central-1" });
    ecr = berth.client({ region: "eu-central-1" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("KMS without a key answers the AWS-managed key; AES256 with a key is refused", async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: "kms/app",
        encryptionConfiguration: { encryptionType: "KMS" },
      }),
    );
    expect(created.repository?.encryptionConfiguration).toEqual({
      encryptionType: "KMS",
      kmsKey: `arn:aws:kms:eu-central-1:${TEST_REGISTRY_ID}:alias/aws/ecr`,
    });
    await expectEcrError(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: "kms/aes",
          encryptionConfiguration: { encryptionType: "AES256", kmsKey: "alias/mine" },
        }),
      ),
      "InvalidParameterException",
    );
  });

  it("policies: an IAM document, registry actions only, force for a lockout", async () => {
    const repositoryName = "policies/app";
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const notAPolicy = await expectEcrError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: '{"Version":"2012-10-17"}' })),
      "InvalidParameterException",
    );
    expect(notAPolicy.message).toContain("Invalid repository policy provided");
    const lockout = policyOf("Deny", ["ecr:*"]);
    await expectEcrError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: lockout })),
      "InvalidParameterException",
    );
    expect(
      (await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: lockout, force: true })))
        .policyText,
    ).toBe(lockout);

    const pull = await expectEcrError(
      ecr.send(new PutRegistryPolicyCommand({ policyText: policyOf("Allow", ["ecr:BatchGetImage"]) })),
      "InvalidParameterException",
    );
    expect(pull.message).toContain("Invalid registry policy provided");
    const replicate = policyOf("Allow", ["ecr:ReplicateImage", "ecr:CreateRepository"]);
    expect((await ecr.send(new PutRegistryPolicyCommand({ policyText: replicate }))).policyText).toBe(
      replicate,
    );
  });

  it("BatchCheckLayerAvailability answers the media type the image's manifest gives a layer", async () => {
    const repositoryName = "media/app";
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const image = await pushImage(ecr, repositoryName, { layers: [new TextEncoder().encode("layer")] });
    const availability = await ecr.send(
      new BatchCheckLayerAvailabilityCommand({
        repositoryName,
        layerDigests: [image.layerDigests[0]!, image.configDigest],
      }),
    );
    expect(availability.layers?.map((layer) => layer.mediaType)).toEqual([OCI_LAYER, OCI_CONFIG]);
  });
});
