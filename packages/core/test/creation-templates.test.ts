/**
 * Repository creation templates (issue 12, item 3): the template operations as given/when/then
 * examples, and the rule that picks the template a repository Berth creates itself is shaped by,
 * as properties over random sets of templates.
 */
import {
  type BerthCommand,
  type CreateRepositoryCreationTemplate,
  type CreationTemplate,
  describeRepositoryCreationTemplates,
  fold,
  type RegistryState,
  type RepositoryCreationPurpose,
  RepositoryName,
  repositorySettingsFromTemplates,
  Timestamp,
} from "@berth/core";
import { branded, EXAMPLE_TIME, registrySpecification as spec } from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { given, registryId } from "./example-registry.js";

const LATER = branded(Timestamp, EXAMPLE_TIME + 1000);

type TemplateInput = Omit<CreateRepositoryCreationTemplate["data"], "registryId" | "createdAt">;

const create = (input: TemplateInput, at = EXAMPLE_TIME): BerthCommand => ({
  type: "CreateRepositoryCreationTemplate",
  data: { registryId, createdAt: at, ...input },
});
const update = (
  input: Omit<TemplateInput, "appliedFor"> & Partial<TemplateInput>,
  at = LATER,
): BerthCommand => ({
  type: "UpdateRepositoryCreationTemplate",
  data: { registryId, updatedAt: at, ...input },
});
const remove = (prefix: string): BerthCommand => ({
  type: "DeleteRepositoryCreationTemplate",
  data: { registryId, prefix },
});
const createFrom = (
  name: string,
  purpose: RepositoryCreationPurpose,
  implicitRootTemplate = false,
): BerthCommand => ({
  type: "CreateRepositoryFromTemplate",
  data: {
    registryId,
    repositoryName: branded(RepositoryName, name),
    purpose,
    implicitRootTemplate,
    createdAt: EXAMPLE_TIME,
  },
});
const stateAfter = (...commands: BerthCommand[]): RegistryState => fold(given(commands));
const templates = (
  state: RegistryState,
  query: { prefixes?: string[]; maxResults?: number; nextToken?: string } = {},
) => describeRepositoryCreationTemplates(state, { registryId, ...query });

const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }],
});
const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 5 },
      action: { type: "expire" },
    },
  ],
});
const full: TemplateInput = {
  prefix: "prod",
  description: "production images",
  appliedFor: ["CREATE_ON_PUSH", "REPLICATION"],
  imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
  imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }],
  encryptionConfiguration: {
    encryptionType: "KMS",
    kmsKey: "arn:aws:kms:us-east-1:123456789012:key/abc-123",
  },
  resourceTags: [{ Key: "team", Value: "platform" }],
  repositoryPolicy: POLICY,
  lifecyclePolicy: LIFECYCLE,
  customRoleArn: "arn:aws:iam::123456789012:role/ecr-templates",
};
const described = (input: TemplateInput, createdAt = EXAMPLE_TIME, updatedAt = createdAt): CreationTemplate =>
  ({
    encryptionConfiguration: { encryptionType: "AES256" },
    resourceTags: [],
    imageTagMutability: "MUTABLE",
    ...input,
    createdAt,
    updatedAt,
  }) as CreationTemplate;

describe("repository creation template operations", () => {
  it("Create then Describe answers every member as given, ECR's defaults for those not sent", () => {
    const state = stateAfter(create(full), create({ prefix: "ROOT", appliedFor: ["PULL_THROUGH_CACHE"] }));
    expect(templates(state)).toEqual(
      E.right({
        registryId,
        repositoryCreationTemplates: [
          described({ prefix: "ROOT", appliedFor: ["PULL_THROUGH_CACHE"] }),
          described(full),
        ],
      }),
    );
  });

  it("Update replaces the members sent, keeps the others, clears text sent empty, and keeps createdAt", () => {
    const state = stateAfter(
      create(full),
      update({ prefix: "prod/", description: "", imageTagMutability: "MUTABLE", resourceTags: [] }),
    );
    const { description: _, imageTagMutabilityExclusionFilters: __, ...rest } = full;
    expect(templates(state, { prefixes: ["prod"] })).toEqual(
      E.right({
        registryId,
        repositoryCreationTemplates: [
          described({ ...rest, imageTagMutability: "MUTABLE", resourceTags: [] }, EXAMPLE_TIME, LATER),
        ],
      }),
    );
  });

  it("Delete removes the template (either spelling of its prefix); twice is TemplateNotFoundException", () => {
    const state = stateAfter(create(full), remove("prod/"));
    expect(templates(state)).toEqual(E.right({ registryId, repositoryCreationTemplates: [] }));
    spec(given(create(full), remove("prod")))
      .when(remove("prod"))
      .thenFails("TemplateNotFoundException", {
        message:
          "The repository creation template with prefix 'prod' does not exist in the registry with id '123456789012'",
      });
    spec()
      .when(update({ prefix: "prod", description: "x" }))
      .thenFails("TemplateNotFoundException");
  });

  it("refuses a second template for a namespace (prod and prod/ are one): TemplateAlreadyExistsException", () => {
    spec(given(create(full)))
      .when(create({ prefix: "prod/", appliedFor: ["CREATE_ON_PUSH"] }))
      .thenFails("TemplateAlreadyExistsException", {
        message:
          "The repository creation template with prefix 'prod/' already exists in the registry with id '123456789012'",
      });
  });

  it("refuses what the operations a template stands for would refuse", () => {
    const base = { prefix: "team", appliedFor: ["CREATE_ON_PUSH"] } as const;
    spec()
      .when(create({ ...base, appliedFor: [] }))
      .thenFails("ValidationException");
    spec()
      .when(create({ ...base, repositoryPolicy: "{" }))
      .thenFails("InvalidParameterException", {
        message:
          "Invalid parameter at 'repositoryPolicy' failed to satisfy constraint: 'Invalid repository policy provided'",
      });
    spec()
      .when(create({ ...base, lifecyclePolicy: '{"rules":[]}' }))
      .thenFails("InvalidParameterException");
    spec()
      .when(create({ ...base, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }))
      .thenFails("InvalidParameterException");
    spec()
      .when(
        create({
          ...base,
          encryptionConfiguration: {
            encryptionType: "AES256",
            kmsKey: full.encryptionConfiguration!.kmsKey!,
          },
        }),
      )
      .thenFails("InvalidParameterException");
    spec()
      .when(create({ ...base, customRoleArn: "arn:aws:iam::999999999999:role/x" }))
      .thenFails("InvalidParameterException");
    spec()
      .when(create({ ...base, customRoleArn: "not-an-arn" }))
      .thenFails("InvalidParameterException");
    spec()
      .when(create({ ...base, resourceTags: [{ Key: "aws:x", Value: "y" }] }))
      .thenFails("InvalidTagParameterException");
    spec(given(create(full)))
      .when(update({ prefix: "prod", lifecyclePolicy: "nope" }))
      .thenFails("InvalidParameterException");
  });

  it("holds at most 100 templates a registry: LimitExceededException", () => {
    const hundred = Array.from({ length: 100 }, (_, i) =>
      create({ prefix: `p${i}`, appliedFor: ["REPLICATION"] }),
    );
    spec(given(...hundred))
      .when(create({ prefix: "one-more", appliedFor: ["REPLICATION"] }))
      .thenFails("LimitExceededException");
  });
});

describe("a repository created from a template", () => {
  it("gets the template's mutability, encryption, tags, repository policy and lifecycle policy, in one decision", () => {
    spec(given(create(full)))
      .when(createFrom("prod/web", "CREATE_ON_PUSH"))
      .then([
        {
          type: "RepositoryCreated",
          data: {
            registryId,
            repositoryName: "prod/web",
            createdAt: EXAMPLE_TIME,
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }],
            scanOnPush: false,
            encryptionType: "KMS",
            kmsKey: "arn:aws:kms:us-east-1:123456789012:key/abc-123",
            tags: [{ Key: "team", Value: "platform" }],
          },
        },
        { type: "RepositoryPolicySet", data: { registryId, repositoryName: "prod/web", policyText: POLICY } },
        {
          type: "LifecyclePolicySet",
          data: { registryId, repositoryName: "prod/web", lifecyclePolicyText: LIFECYCLE },
        },
      ]);
  });

  it("is not created when no template applies (RepositoryNotFoundException), unless a ROOT template is assumed", () => {
    spec(given(create(full)))
      .when(createFrom("staging/web", "CREATE_ON_PUSH"))
      .thenFails("RepositoryNotFoundException");
    spec(given(create(full)))
      .when(createFrom("prod/web", "PULL_THROUGH_CACHE"))
      .thenFails("RepositoryNotFoundException");
    spec()
      .when(createFrom("staging/web", "CREATE_ON_PUSH", true))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["RepositoryCreated"]));
    // A template of the registry wins over the assumed one.
    spec(given(create(full)))
      .when(createFrom("prod/web", "CREATE_ON_PUSH", true))
      .then((events) => expect(events).toHaveLength(3));
    spec(given(createFrom("staging/web", "CREATE_ON_PUSH", true)))
      .when(createFrom("staging/web", "CREATE_ON_PUSH", true))
      .thenFails("RepositoryAlreadyExistsException");
  });
});

const PURPOSES: ReadonlyArray<RepositoryCreationPurpose> = [
  "CREATE_ON_PUSH",
  "PULL_THROUGH_CACHE",
  "REPLICATION",
];
const NAMESPACES = ["ROOT", "a", "a/b", "a/b/c", "a/bc", "b", "ab"] as const;
const NAMES = ["a/b/c/d", "a/b/x", "a/bc/x", "a/x", "ab/x", "b/x", "c/x", "a/b", "abc"] as const;

/** Random templates: each namespace at most once, spelt with or without its trailing slash. */
const templateSetArb = fc.uniqueArray(
  fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    slash: fc.boolean(),
    appliedFor: fc.subarray([...PURPOSES], { minLength: 1 }),
    mutability: fc.constantFrom("MUTABLE", "IMMUTABLE") as fc.Arbitrary<"MUTABLE" | "IMMUTABLE">,
  }),
  { selector: (t) => t.namespace, maxLength: NAMESPACES.length },
);

/** The expected template, found differently: the name's own namespaces, longest first, then ROOT. */
const expectedPrefix = (
  set: ReadonlyArray<{ namespace: string; appliedFor: ReadonlyArray<string> }>,
  name: string,
  purpose: string,
): string | undefined => {
  const parts = name.split("/");
  const candidates = [...parts.keys()]
    .slice(1)
    .reverse()
    .map((k) => parts.slice(0, k).join("/"));
  for (const namespace of [...candidates, "ROOT"]) {
    const found = set.find((t) => t.namespace === namespace && t.appliedFor.includes(purpose));
    if (found !== undefined) return found.namespace;
  }
  return undefined;
};

describe("the template that shapes a repository", () => {
  it("is the longest prefix covering the name among those applied for the purpose, ROOT as the fallback", () => {
    fc.assert(
      fc.property(
        templateSetArb,
        fc.constantFrom(...NAMES),
        fc.constantFrom(...PURPOSES),
        (set, name, purpose) => {
          const state = stateAfter(
            ...set.map((t) =>
              create({
                prefix: t.namespace === "ROOT" || !t.slash ? t.namespace : `${t.namespace}/`,
                appliedFor: t.appliedFor,
                imageTagMutability: t.mutability,
              }),
            ),
          );
          const settings = repositorySettingsFromTemplates(
            state,
            registryId,
            branded(RepositoryName, name),
            purpose,
          );
          const expected = expectedPrefix(set, name, purpose);
          const chosen = set.find((t) => t.namespace === expected);
          expect(settings?.templatePrefix?.replace(/\/$/, "")).toEqual(expected);
          expect(settings?.imageTagMutability).toEqual(chosen?.mutability);
        },
      ),
    );
  });

  it("is never one deleted, and Describe never lists one deleted", () => {
    fc.assert(
      fc.property(
        templateSetArb,
        fc.constantFrom(...NAMESPACES),
        fc.constantFrom(...NAMES),
        (set, gone, name) => {
          const commands = set.map((t) => create({ prefix: t.namespace, appliedFor: t.appliedFor }));
          const deleted = set.some((t) => t.namespace === gone) ? [remove(gone)] : [];
          const state = stateAfter(...commands, ...deleted);
          const listed = E.getOrElseW(() => undefined)(templates(state))?.repositoryCreationTemplates.map(
            (t) => t.prefix,
          );
          expect(listed).not.toContain(gone);
          expect(listed).toHaveLength(set.length - deleted.length);
          for (const purpose of PURPOSES) {
            const settings = repositorySettingsFromTemplates(
              state,
              registryId,
              branded(RepositoryName, name),
              purpose,
            );
            expect(settings?.templatePrefix).not.toBe(gone);
          }
        },
      ),
    );
  });

  it("Describe's pages, concatenated, list every template once in prefix order", () => {
    fc.assert(
      fc.property(templateSetArb, fc.integer({ min: 1, max: 4 }), (set, maxResults) => {
        const state = stateAfter(
          ...set.map((t) => create({ prefix: t.namespace, appliedFor: t.appliedFor })),
        );
        const seen: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = templates(state, { maxResults, ...(nextToken === undefined ? {} : { nextToken }) });
          if (E.isLeft(page)) throw new Error(page.left.message);
          expect(page.right.repositoryCreationTemplates.length).toBeLessThanOrEqual(maxResults);
          seen.push(...page.right.repositoryCreationTemplates.map((t) => t.prefix));
          nextToken = page.right.nextToken;
        } while (nextToken !== undefined);
        expect(seen).toEqual(set.map((t) => t.namespace).sort());
      }),
    );
  });
});
