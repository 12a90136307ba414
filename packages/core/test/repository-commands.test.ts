/**
 * Repository lifecycle, tag mutability, policies, resource tags and registry settings, as
 * given/when/then examples: one per rule and one per error the rule can raise.
 */
import {
  type BerthCommand,
  getRegistryPolicy,
  getRepositoryPolicy,
  listTagsForResource,
  RegistryId,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  imageManifestOf,
  layerBlobOf,
  registryCommands,
  registrySpecification as spec,
} from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, other, ref, registryId } from "./example-registry.js";

const layer = layerBlobOf("layer");
const config = layerBlobOf('{"architecture":"amd64"}');
const image = imageManifestOf(config, [layer]);
const imagePushed: BerthCommand[] = [
  c.createRepository(app),
  ...c.uploadLayer(app, config),
  ...c.uploadLayer(app, layer),
  c.putImage(app, image),
];
const withImage = () => given(imagePushed);

/** A policy fit for a repository and for a registry. */
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:ReplicateImage"] }],
});

describe("CreateRepository", () => {
  it("records the repository with ECR's defaults", () =>
    spec()
      .when(c.createRepository(app))
      .then([
        {
          type: "RepositoryCreated",
          data: {
            ...ref,
            createdAt: EXAMPLE_TIME,
            imageTagMutability: "MUTABLE",
            imageTagMutabilityExclusionFilters: [],
            scanOnPush: false,
            encryptionType: "AES256",
            tags: [],
          },
        },
      ]));

  it("records what was asked for", () =>
    spec()
      .when(
        c.createRepository(app, {
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
          scanOnPush: true,
          encryptionType: "KMS",
          kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/k",
          tags: [{ Key: "team", Value: "berth" }],
        }),
      )
      .then([
        {
          type: "RepositoryCreated",
          data: {
            ...ref,
            createdAt: EXAMPLE_TIME,
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
            scanOnPush: true,
            encryptionType: "KMS",
            kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/k",
            tags: [{ Key: "team", Value: "berth" }],
          },
        },
      ]));

  it("refuses a name that is taken: RepositoryAlreadyExistsException", () =>
    spec(given(c.createRepository(app)))
      .when(c.createRepository(app))
      .thenFails("RepositoryAlreadyExistsException", { message: expect.stringContaining("team/app") }));

  it("accepts the same name in another registry", () =>
    spec(given(c.createRepository(app)))
      .when(registryCommands(branded(RegistryId, "000000000000")).createRepository(app))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["RepositoryCreated"])));

  it("accepts a name again once its repository is deleted", () =>
    spec(given(c.createRepository(app), c.deleteRepository(app)))
      .when(c.createRepository(app))
      .then((events, after) => {
        expect(events.map((e) => e.type)).toEqual(["RepositoryCreated"]);
        expect(after.repositories.size).toBe(1);
      }));

  it("starts a re-created repository empty", () =>
    spec(given(imagePushed, c.deleteRepository(app, true)))
      .when(c.createRepository(app))
      .then((_, after) => {
        const repository = [...after.repositories.values()][0];
        expect(repository?.images.size).toBe(0);
        expect(repository?.layers.size).toBe(0);
      }));

  it("refuses a tag key with the reserved aws: prefix: InvalidTagParameterException", () =>
    spec()
      .when(c.createRepository(app, { tags: [{ Key: "aws:owner", Value: "me" }] }))
      .thenFails("InvalidTagParameterException", { message: expect.stringContaining("aws:owner") }));

  it("refuses more than 50 tags: TooManyTagsException", () =>
    spec()
      .when(
        c.createRepository(app, {
          tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })),
        }),
      )
      .thenFails("TooManyTagsException"));

  it("accepts exactly 50 tags", () =>
    spec()
      .when(
        c.createRepository(app, {
          tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" })),
        }),
      )
      .then((events) => expect(events).toHaveLength(1)));

  it("refuses exclusion filters without a *_WITH_EXCLUSION mutability: InvalidParameterException", () =>
    spec()
      .when(
        c.createRepository(app, {
          imageTagMutability: "IMMUTABLE",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "v*" }],
        }),
      )
      .thenFails("InvalidParameterException"));

  it("refuses a *_WITH_EXCLUSION mutability without filters: InvalidParameterException", () =>
    spec()
      .when(c.createRepository(app, { imageTagMutability: "MUTABLE_WITH_EXCLUSION" }))
      .thenFails("InvalidParameterException"));
});

describe("DeleteRepository", () => {
  it("refuses an unknown repository: RepositoryNotFoundException", () =>
    spec(given(c.createRepository(other)))
      .when(c.deleteRepository(app))
      .thenFails("RepositoryNotFoundException", {
        message: "The repository with name 'team/app' does not exist in the registry with id '123456789012'",
      }));

  it("deletes an empty repository", () =>
    spec(given(c.createRepository(app), c.uploadLayer(app, layer)))
      .when(c.deleteRepository(app))
      .then([{ type: "RepositoryDeleted", data: { ...ref, deletedAt: EXAMPLE_TIME } }]));

  it("refuses a repository that holds images: RepositoryNotEmptyException", () =>
    spec(withImage()).when(c.deleteRepository(app)).thenFails("RepositoryNotEmptyException"));

  it("refuses with force: false as without force", () =>
    spec(withImage()).when(c.deleteRepository(app, false)).thenFails("RepositoryNotEmptyException"));

  it("deletes a repository that holds images with force, and everything in it", () =>
    spec(withImage())
      .when(c.deleteRepository(app, true))
      .then((events, after) => {
        expect(events).toEqual([{ type: "RepositoryDeleted", data: { ...ref, deletedAt: EXAMPLE_TIME } }]);
        expect(after.repositories.size).toBe(0);
      }));
});

describe("PutImageTagMutability", () => {
  it("records the new setting", () =>
    spec(given(c.createRepository(app)))
      .when(c.putImageTagMutability(app, { imageTagMutability: "IMMUTABLE" }))
      .then([
        {
          type: "ImageTagMutabilityChanged",
          data: { ...ref, imageTagMutability: "IMMUTABLE", imageTagMutabilityExclusionFilters: [] },
        },
      ]));

  it("refuses an unknown repository: RepositoryNotFoundException", () =>
    spec()
      .when(c.putImageTagMutability(app, { imageTagMutability: "IMMUTABLE" }))
      .thenFails("RepositoryNotFoundException"));

  it("refuses a *_WITH_EXCLUSION mutability without filters: InvalidParameterException", () =>
    spec(given(c.createRepository(app)))
      .when(c.putImageTagMutability(app, { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }))
      .thenFails("InvalidParameterException"));

  it("refuses filters with a plain mutability: InvalidParameterException", () =>
    spec(given(c.createRepository(app)))
      .when(
        c.putImageTagMutability(app, {
          imageTagMutability: "MUTABLE",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "*" }],
        }),
      )
      .thenFails("InvalidParameterException"));
});

describe("Repository policy", () => {
  it("stores a policy, which GetRepositoryPolicy returns", () =>
    spec(given(c.createRepository(app)))
      .when(c.setRepositoryPolicy(app, POLICY))
      .then((events, after) => {
        expect(events).toEqual([{ type: "RepositoryPolicySet", data: { ...ref, policyText: POLICY } }]);
        expect(getRepositoryPolicy(after, ref)).toEqual(E.right({ ...ref, policyText: POLICY }));
      }));

  it.each(["not json", "[]", "null", "", "42"])("refuses %j as a policy: InvalidParameterException", (text) =>
    spec(given(c.createRepository(app)))
      .when(c.setRepositoryPolicy(app, text))
      .thenFails("InvalidParameterException"),
  );

  it("refuses a policy for an unknown repository: RepositoryNotFoundException", () =>
    spec().when(c.setRepositoryPolicy(app, POLICY)).thenFails("RepositoryNotFoundException"));

  it("deletes a policy", () =>
    spec(given(c.createRepository(app), c.setRepositoryPolicy(app, POLICY)))
      .when(c.deleteRepositoryPolicy(app))
      .then([{ type: "RepositoryPolicyDeleted", data: ref }]));

  it("refuses to delete a policy that does not exist: RepositoryPolicyNotFoundException", () =>
    spec(given(c.createRepository(app)))
      .when(c.deleteRepositoryPolicy(app))
      .thenFails("RepositoryPolicyNotFoundException"));

  it("refuses to delete a deleted policy: RepositoryPolicyNotFoundException", () =>
    spec(given(c.createRepository(app), c.setRepositoryPolicy(app, POLICY), c.deleteRepositoryPolicy(app)))
      .when(c.deleteRepositoryPolicy(app))
      .thenFails("RepositoryPolicyNotFoundException"));

  it("answers GetRepositoryPolicy without a policy with RepositoryPolicyNotFoundException", () => {
    const state = spec(given(c.createRepository(app))).state;
    expect(getRepositoryPolicy(state, ref)).toEqual(
      E.left(expect.objectContaining({ _tag: "RepositoryPolicyNotFoundException" })),
    );
  });
});

describe("Registry policy and settings", () => {
  it("stores a registry policy, which GetRegistryPolicy returns", () =>
    spec()
      .when(c.putRegistryPolicy(POLICY))
      .then((events, after) => {
        expect(events).toEqual([{ type: "RegistryPolicySet", data: { registryId, policyText: POLICY } }]);
        expect(getRegistryPolicy(after, { registryId })).toEqual(E.right({ registryId, policyText: POLICY }));
      }));

  it("refuses a registry policy that is not a JSON object: InvalidParameterException", () =>
    spec().when(c.putRegistryPolicy("{")).thenFails("InvalidParameterException"));

  it("deletes the registry policy", () =>
    spec(given(c.putRegistryPolicy(POLICY)))
      .when(c.deleteRegistryPolicy())
      .then([{ type: "RegistryPolicyDeleted", data: { registryId } }]));

  it("refuses to delete a registry policy that does not exist: RegistryPolicyNotFoundException", () =>
    spec()
      .when(c.deleteRegistryPolicy())
      .thenFails("RegistryPolicyNotFoundException", {
        message: expect.stringContaining("123456789012"),
      }));

  it("answers GetRegistryPolicy without a policy with RegistryPolicyNotFoundException", () =>
    expect(getRegistryPolicy(spec().state, { registryId })).toEqual(
      E.left(expect.objectContaining({ _tag: "RegistryPolicyNotFoundException" })),
    ));

  it("records a change of settings", () =>
    spec()
      .when(c.putRegistrySettings(true))
      .then([{ type: "RegistrySettingsChanged", data: { registryId, lenient: true } }]));

  it("records nothing when the settings do not change", () => {
    spec().when(c.putRegistrySettings(false)).thenNothingHappens();
    spec(given(c.putRegistrySettings(true)))
      .when(c.putRegistrySettings(true))
      .thenNothingHappens();
  });
});

describe("Resource tags", () => {
  it("adds tags, which ListTagsForResource returns", () =>
    spec(given(c.createRepository(app, { tags: [{ Key: "a", Value: "1" }] })))
      .when(c.tagResource(app, [{ Key: "b", Value: "2" }]))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "ResourceTagsAdded", data: { ...ref, tags: [{ Key: "b", Value: "2" }] } },
        ]);
        expect(listTagsForResource(after, ref)).toEqual(
          E.right({
            tags: [
              { Key: "a", Value: "1" },
              { Key: "b", Value: "2" },
            ],
          }),
        );
      }));

  it("overwrites the value of an existing key", () =>
    spec(given(c.createRepository(app, { tags: [{ Key: "a", Value: "1" }] })))
      .when(c.tagResource(app, [{ Key: "a", Value: "2" }]))
      .then((_, after) =>
        expect(listTagsForResource(after, ref)).toEqual(E.right({ tags: [{ Key: "a", Value: "2" }] })),
      ));

  it("refuses the reserved aws: prefix, in any case: InvalidTagParameterException", () => {
    spec(given(c.createRepository(app)))
      .when(c.tagResource(app, [{ Key: "aws:x", Value: "" }]))
      .thenFails("InvalidTagParameterException");
    spec(given(c.createRepository(app)))
      .when(c.tagResource(app, [{ Key: "AWS:x", Value: "" }]))
      .thenFails("InvalidTagParameterException");
    spec(given(c.createRepository(app)))
      .when(c.untagResource(app, ["aws:x"]))
      .thenFails("InvalidTagParameterException");
  });

  it("refuses to go over 50 tags, counting those already there: TooManyTagsException", () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    spec(given(c.createRepository(app, { tags: fifty })))
      .when(c.tagResource(app, [{ Key: "one-more", Value: "v" }]))
      .thenFails("TooManyTagsException");
    // Overwriting an existing key does not add one.
    spec(given(c.createRepository(app, { tags: fifty })))
      .when(c.tagResource(app, [{ Key: "k0", Value: "w" }]))
      .then((events) => expect(events).toHaveLength(1));
  });

  it("removes tags", () =>
    spec(given(c.createRepository(app, { tags: [{ Key: "a", Value: "1" }] })))
      .when(c.untagResource(app, ["a", "absent"]))
      .then((events, after) => {
        expect(events).toEqual([{ type: "ResourceTagsRemoved", data: { ...ref, tagKeys: ["a", "absent"] } }]);
        expect(listTagsForResource(after, ref)).toEqual(E.right({ tags: [] }));
      }));

  it("refuses an unknown repository: RepositoryNotFoundException", () => {
    spec()
      .when(c.tagResource(app, [{ Key: "a", Value: "1" }]))
      .thenFails("RepositoryNotFoundException");
    spec()
      .when(c.untagResource(app, ["a"]))
      .thenFails("RepositoryNotFoundException");
    expect(E.isLeft(listTagsForResource(spec().state, ref))).toBe(true);
  });
});
