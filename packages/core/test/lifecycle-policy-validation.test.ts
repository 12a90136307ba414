/**
 * Lifecycle policy text as ECR validates it: one example per validation message, each refused with
 * `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy
 * validation failure: …'`, and the whole rule language accepted where it is valid.
 */
import { decide, fold, initialState, parseLifecyclePolicy, type Timestamp } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, ref } from "./example-registry.js";

const rule = (overrides: Record<string, unknown> = {}, selection: Record<string, unknown> = {}) => ({
  rulePriority: 1,
  selection: {
    tagStatus: "tagged",
    tagPrefixList: ["v"],
    countType: "imageCountMoreThan",
    countNumber: 2,
    ...selection,
  },
  action: { type: "expire" },
  ...overrides,
});
const policy = (...rules: unknown[]) => JSON.stringify({ rules });

const refusal = (text: string) => {
  const parsed = parseLifecyclePolicy(text);
  expect(E.isLeft(parsed)).toBe(true);
  return E.isLeft(parsed) ? parsed.left : "";
};
const PREFIX =
  "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

const EXAMPLES: ReadonlyArray<readonly [string, string, string]> = [
  ["text that is not JSON", "{not json", "Could not map policyString into LifecyclePolicy."],
  ["JSON that is not an object", "[1,2]", "Could not map policyString into LifecyclePolicy."],
  ["no rules", JSON.stringify({ rule: [] }), 'object has missing required properties (["rules"])'],
  [
    "an empty rule list",
    policy(),
    "array is too short: must have at least 1 elements but instance has 0 elements",
  ],
  [
    "a rule that is not an object",
    policy("expire"),
    'instance type (string) does not match any allowed primitive type (allowed: ["object"])',
  ],
  [
    "a rule without its action",
    policy({ rulePriority: 1, selection: rule().selection }),
    'object has missing required properties (["action"])',
  ],
  [
    "a property the schema does not know",
    policy(rule({ priority: 3 })),
    'object instance has properties which are not allowed by the schema: (["priority"])',
  ],
  [
    "a rulePriority that is not an integer",
    policy(rule({ rulePriority: "1" })),
    'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
  ],
  [
    "a rulePriority below 1",
    policy(rule({ rulePriority: 0 })),
    "numeric instance is lower than the required minimum (minimum: 1, found: 0)",
  ],
  [
    "an unknown tagStatus",
    policy(rule({}, { tagStatus: "TAGGED" })),
    'instance value ("TAGGED") not found in enum (possible values: ["tagged","untagged","any"])',
  ],
  [
    "a countNumber below 1",
    policy(rule({}, { countNumber: 0 })),
    "numeric instance is lower than the required minimum (minimum: 1, found: 0)",
  ],
  [
    "duplicate rule priorities",
    policy(rule(), rule({}, { tagPrefixList: ["w"] })),
    "rulePriority must be unique: 1 is given to more than one rule",
  ],
  [
    "a tagStatus any rule that is not last",
    policy(
      rule({ rulePriority: 1 }, { tagStatus: "any", tagPrefixList: undefined }),
      rule({ rulePriority: 2 }),
    ),
    "the rule with tagStatus 'any' must have the highest rulePriority",
  ],
  [
    "two rules for untagged images",
    policy(
      rule({ rulePriority: 1 }, { tagStatus: "untagged", tagPrefixList: undefined }),
      rule({ rulePriority: 2 }, { tagStatus: "untagged", tagPrefixList: undefined }),
    ),
    "only one rule may select untagged images (tagStatus 'untagged')",
  ],
  [
    "a tag list on untagged images",
    policy(rule({}, { tagStatus: "untagged" })),
    "tagPrefixList and tagPatternList can only be given when tagStatus is 'tagged'",
  ],
  [
    "tagged images without a tag list",
    policy(rule({}, { tagPrefixList: undefined })),
    "a rule with tagStatus 'tagged' must give tagPrefixList or tagPatternList",
  ],
  [
    "both tag lists",
    policy(rule({}, { tagPatternList: ["v*"] })),
    "a rule gives tagPrefixList or tagPatternList, not both",
  ],
  [
    "a pattern with five wildcards",
    policy(rule({}, { tagPrefixList: undefined, tagPatternList: ["*a*b*c*d*"] })),
    "the tag pattern '*a*b*c*d*' has more than 4 wildcards (*)",
  ],
  [
    "a since… count without its unit",
    policy(rule({}, { countType: "sinceImagePushed" })),
    "countUnit 'days' is required with countType 'sinceImagePushed'",
  ],
  [
    "a countUnit on a count of images",
    policy(rule({}, { countUnit: "days" })),
    "countUnit can only be given with countType 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'",
  ],
  [
    "an unknown countUnit",
    policy(rule({}, { countType: "sinceImagePushed", countUnit: "hours" })),
    'instance value ("hours") not found in enum (possible values: ["days"])',
  ],
  [
    "archive storage with a count of images",
    policy(rule({}, { storageClass: "archive" })),
    "storageClass 'archive' can only be selected with countType 'sinceImageTransitioned'",
  ],
  [
    "a transition count on standard storage",
    policy(rule({}, { countType: "sinceImageTransitioned", countUnit: "days" })),
    "countType 'sinceImageTransitioned' needs storageClass 'archive'",
  ],
  [
    "a transition without its target",
    policy(rule({ action: { type: "transition" } })),
    "an action of type 'transition' needs targetStorageClass 'archive'",
  ],
  [
    "a target on an expiry",
    policy(rule({ action: { type: "expire", targetStorageClass: "archive" } })),
    "targetStorageClass can only be given with an action of type 'transition'",
  ],
  [
    "a transition of archived images",
    policy(
      rule(
        { action: { type: "transition", targetStorageClass: "archive" } },
        { storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days" },
      ),
    ),
    "a rule with a 'transition' action selects storageClass 'standard': its images are archived already",
  ],
];

describe("lifecycle policy validation: ECR's message for each fault", () => {
  it.each(EXAMPLES)("refuses %s", (_, text, failure) => {
    expect(refusal(text)).toBe(`${PREFIX}${failure}'`);
  });

  it("accepts the whole rule language, rules sorted by priority, gaps allowed", () => {
    const parsed = parseLifecyclePolicy(
      policy(
        rule(
          { rulePriority: 30 },
          { tagStatus: "any", tagPrefixList: undefined, countType: "sinceImagePulled", countUnit: "days" },
        ),
        rule(
          { rulePriority: 5, description: "release builds" },
          { tagPrefixList: undefined, tagPatternList: ["v*.*.*", "*prod*"] },
        ),
        rule(
          { rulePriority: 7, action: { type: "transition", targetStorageClass: "archive" } },
          { countType: "sinceImagePushed", countUnit: "days" },
        ),
        rule(
          { rulePriority: 9 },
          { storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days" },
        ),
        rule({ rulePriority: 10 }, { tagStatus: "untagged", tagPrefixList: undefined }),
      ),
    );
    expect(E.isRight(parsed) && parsed.right.rules.map((r) => r.rulePriority)).toEqual([5, 7, 9, 10, 30]);
  });

  it("PutLifecyclePolicy refuses an invalid policy with InvalidParameterException and records nothing", () => {
    const state = fold(given(c.createRepository(app)));
    const decision = decide(state, {
      type: "PutLifecyclePolicy",
      data: { ...ref, lifecyclePolicyText: policy(rule({ rulePriority: 0 })) },
    });
    expect(decision).toEqual(
      E.left({
        _tag: "InvalidParameterException",
        message: `${PREFIX}numeric instance is lower than the required minimum (minimum: 1, found: 0)'`,
      }),
    );
  });

  it("a preview of the repository's policy when it has none is LifecyclePolicyNotFoundException", () => {
    const state = fold(given(c.createRepository(app)));
    const decision = decide(state, {
      type: "StartLifecyclePolicyPreview",
      data: { ...ref, now: 0 as Timestamp },
    });
    expect(E.isLeft(decision) && decision.left._tag).toBe("LifecyclePolicyNotFoundException");
    expect(decide(initialState, { type: "DeleteLifecyclePolicy", data: ref })).toMatchObject({
      left: { _tag: "RepositoryNotFoundException" },
    });
  });
});
