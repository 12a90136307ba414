/**
 * Members ECR honours (issue 11, item 7): KMS keys, policy documents, SetRepositoryPolicy's force,
 * the media type BatchCheckLayerAvailability answers for a layer.
 */
import {
  type BerthCommand,
  batchCheckLayerAvailability,
  describeRepository,
  findRepository,
  type QueryContext,
} from "@berth/core";
import { imageManifestOf, layerBlobOf, registrySpecification as spec } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, ref, registryId } from "./example-registry.js";

const context: QueryContext = { region: "eu-west-3", registryHost: () => "localhost:5000" };
const document = (statement: Record<string, unknown>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const allow = (action: unknown, principal: unknown = { AWS: "*" }) =>
  document({ Effect: "Allow", Principal: principal, Action: action });
const setPolicy = (policyText: string, force?: boolean): BerthCommand => ({
  type: "SetRepositoryPolicy",
  data: { ...ref, policyText, ...(force === undefined ? {} : { force }) },
});

describe("encryption", () => {
  it("KMS without a key answers the account's AWS-managed key for ECR in the region", () => {
    let answered: unknown;
    spec()
      .when(c.createRepository(app, { encryptionType: "KMS" }))
      .then((_, after) => {
        answered = describeRepository(
          context,
          findRepository(after, registryId, app)!,
        ).encryptionConfiguration;
      });
    expect(answered).toEqual({
      encryptionType: "KMS",
      kmsKey: "arn:aws:kms:eu-west-3:123456789012:alias/aws/ecr",
    });
  });

  it("KMS with a key answers that key; AES256 answers none", () => {
    spec()
      .when(c.createRepository(app, { encryptionType: "KMS", kmsKey: "alias/mine" }))
      .then((_, after) =>
        expect(
          describeRepository(context, findRepository(after, registryId, app)!).encryptionConfiguration,
        ).toEqual({
          encryptionType: "KMS",
          kmsKey: "alias/mine",
        }),
      );
    spec()
      .when(c.createRepository(app))
      .then((_, after) =>
        expect(
          describeRepository(context, findRepository(after, registryId, app)!).encryptionConfiguration,
        ).toEqual({
          encryptionType: "AES256",
        }),
      );
  });

  it("AES256 with a KMS key: InvalidParameterException", () =>
    spec()
      .when(c.createRepository(app, { encryptionType: "AES256", kmsKey: "alias/mine" }))
      .thenFails("InvalidParameterException", { message: expect.stringContaining("AES256") }));
});

describe("repository policies", () => {
  it("accepts an IAM policy document, one statement or a list, a principal of any kind", () => {
    for (const text of [
      allow("ecr:BatchGetImage"),
      allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "*"),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: { Effect: "Deny", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:*" },
      }),
    ]) {
      spec(given(c.createRepository(app)))
        .when(setPolicy(text))
        .then((events) => expect(events).toHaveLength(1));
    }
  });

  it.each([
    ["not JSON", "not json"],
    ["no Version", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*" }] })],
    ["no Statement", JSON.stringify({ Version: "2012-10-17" })],
    ["no statements", JSON.stringify({ Version: "2012-10-17", Statement: [] })],
    ["no Effect", document({ Principal: "*", Action: "ecr:*" })],
    ["an Effect that is none", document({ Effect: "Maybe", Principal: "*", Action: "ecr:*" })],
    ["no Principal", document({ Effect: "Allow", Action: "ecr:*" })],
    ["no Action", document({ Effect: "Allow", Principal: "*" })],
  ])("refuses a policy with %s: 'Invalid repository policy provided'", (_, text) =>
    spec(given(c.createRepository(app)))
      .when(setPolicy(text))
      .thenFails("InvalidParameterException", {
        message:
          "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
      }),
  );

  it("a policy denying everyone SetRepositoryPolicy needs force", () => {
    const lockout = document({ Effect: "Deny", Principal: "*", Action: "ecr:Set*" });
    spec(given(c.createRepository(app)))
      .when(setPolicy(lockout))
      .thenFails("InvalidParameterException", { message: expect.stringContaining("force") });
    spec(given(c.createRepository(app)))
      .when(setPolicy(lockout, true))
      .then((events) => expect(events).toHaveLength(1));
    spec(given(c.createRepository(app)))
      .when(setPolicy(document({ Effect: "Deny", Principal: "*", Action: "ecr:BatchGetImage" })))
      .then((events) => expect(events).toHaveLength(1));
  });
});

describe("registry policies", () => {
  it.each([
    "ecr:CreateRepository",
    "ecr:ReplicateImage",
    "ecr:BatchImportUpstreamImage",
    "ECR:replicateimage",
  ])("may grant %s", (action) =>
    spec()
      .when(c.putRegistryPolicy(allow([action], { AWS: "arn:aws:iam::210987654321:root" })))
      .then((events) => expect(events).toHaveLength(1)),
  );

  it.each(["ecr:BatchGetImage", "ecr:*", "*"])(
    "may not grant %s: 'Invalid registry policy provided'",
    (action) =>
      spec()
        .when(c.putRegistryPolicy(allow(["ecr:ReplicateImage", action])))
        .thenFails("InvalidParameterException", {
          message:
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'",
        }),
  );
});

describe("BatchCheckLayerAvailability's mediaType", () => {
  const layer = layerBlobOf("layer");
  const config = layerBlobOf('{"architecture":"amd64"}');
  const image = imageManifestOf(config, [layer]);

  it("is what the first manifest referencing the layer calls it; absent before", () => {
    const uploaded = [c.createRepository(app), ...c.uploadLayer(app, config), ...c.uploadLayer(app, layer)];
    const check = (commands: BerthCommand[]) => {
      let answer: unknown;
      spec(given(commands.slice(0, -1)))
        .when(commands.at(-1)!)
        .then((_, after) => {
          answer = batchCheckLayerAvailability(after, {
            ...ref,
            layerDigests: [layer.digest, config.digest],
          });
        });
      return answer;
    };
    expect(check(uploaded)).toEqual(
      E.right({
        layers: [
          { layerDigest: layer.digest, layerAvailability: "AVAILABLE", layerSize: layer.bytes.length },
          { layerDigest: config.digest, layerAvailability: "AVAILABLE", layerSize: config.bytes.length },
        ],
        failures: [],
      }),
    );
    const manifest = JSON.parse(image.manifest) as {
      config: { mediaType: string };
      layers: Array<{ mediaType: string }>;
    };
    expect(check([...uploaded, c.putImage(app, image)])).toEqual(
      E.right({
        layers: [
          expect.objectContaining({ layerDigest: layer.digest, mediaType: manifest.layers[0]?.mediaType }),
          expect.objectContaining({ layerDigest: config.digest, mediaType: manifest.config.mediaType }),
        ],
        failures: [],
      }),
    );
  });
});
