/**
 * The request codecs against the official ECR model: the same operations, members, required
 * members and constraints, except for the few deliberate differences listed here with a reason.
 * The branded values the codecs reuse are checked twice: their declared constraints against the
 * model, and what they really accept against their declaration.
 */
import { test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { EcrRequests } from "../../src/ecr-requests.js";
import { BrandedMembers } from "../../src/kernel/branded-members.js";
import { type Constraints, violationOf, wholeMatch } from "../../src/kernel/constraints.js";
import { type EcrModel, loadEcrModel, shapeOf } from "./botocore-model.js";
import { nearValue } from "./constraint-arbitraries.js";

const model = loadEcrModel();

const OPERATIONS = [
  "CreateRepository",
  "DeleteRepository",
  "DescribeRepositories",
  "PutImageTagMutability",
  "PutImage",
  "BatchGetImage",
  "BatchDeleteImage",
  "DescribeImages",
  "ListImages",
  "InitiateLayerUpload",
  "UploadLayerPart",
  "CompleteLayerUpload",
  "BatchCheckLayerAvailability",
  "GetDownloadUrlForLayer",
  "SetRepositoryPolicy",
  "GetRepositoryPolicy",
  "DeleteRepositoryPolicy",
  "PutRegistryPolicy",
  "GetRegistryPolicy",
  "DeleteRegistryPolicy",
  "TagResource",
  "UntagResource",
  "ListTagsForResource",
  "DescribeRegistry",
  "GetAuthorizationToken",
  "PutLifecyclePolicy",
  "GetLifecyclePolicy",
  "DeleteLifecyclePolicy",
  "StartLifecyclePolicyPreview",
  "GetLifecyclePolicyPreview",
  "PutImageScanningConfiguration",
  "PutRegistryScanningConfiguration",
  "GetRegistryScanningConfiguration",
  "BatchGetRepositoryScanningConfiguration",
  "StartImageScan",
  "DescribeImageScanFindings",
  "GetAccountSetting",
  "PutAccountSetting",
  "UpdateImageStorageClass",
  "PutSigningConfiguration",
  "GetSigningConfiguration",
  "DeleteSigningConfiguration",
  "DescribeImageSigningStatus",
  "ListImageReferrers",
  "RegisterPullTimeUpdateExclusion",
  "DeregisterPullTimeUpdateExclusion",
  "ListPullTimeUpdateExclusions",
  "CreatePullThroughCacheRule",
  "DeletePullThroughCacheRule",
  "DescribePullThroughCacheRules",
  "UpdatePullThroughCacheRule",
  "ValidatePullThroughCacheRule",
  "CreateRepositoryCreationTemplate",
  "UpdateRepositoryCreationTemplate",
  "DeleteRepositoryCreationTemplate",
  "DescribeRepositoryCreationTemplates",
  "PutReplicationConfiguration",
  "DescribeImageReplicationStatus",
] as const;

/**
 * Served, but newer than the botocore model installed here: their codecs are checked against the
 * AWS SDK's schemas instead (test/server/replication-backfill.test.ts).
 */
const NOT_IN_BOTOCORE = [
  "StartReplicationBackfill",
  "StopReplicationBackfill",
  "ListReplicationBackfills",
  "DescribeReplicationBackfillResults",
] as const;

/** Shapes whose bounds Berth sets where the model is silent, from ECR's documented limits. */
const STRICTER_THAN_MODEL: Readonly<
  Record<string, { readonly min?: number; readonly max?: number; readonly reason: string }>
> = {};

/** Model members Berth does not accept (sent anyway, they are ignored, as AWS ignores unknown members). */
const NOT_ACCEPTED: Readonly<Record<string, string>> = {};

/** The members of `record` that hold a value (the model leaves out what it does not set). */
const present = <T extends object>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as never;

/** The constraints the model gives a shape, with the deliberate differences applied; `used` records which. */
const modelConstraints = (shapeName: string, used: Set<string>): Constraints => {
  const shape = shapeOf(model, shapeName);
  const stricter = STRICTER_THAN_MODEL[shapeName];
  if (stricter !== undefined) used.add(shapeName);
  const bounds = stricter ?? shape;
  const adjusted = present({ min: bounds.min, max: bounds.max });
  switch (shape.type) {
    case "string":
      return shape.enum === undefined
        ? { kind: "string", ...adjusted, ...present({ pattern: shape.pattern }) }
        : { kind: "enum", values: shape.enum };
    case "integer":
    case "long":
      return { kind: "integer", ...adjusted };
    case "blob":
      return { kind: "blob", ...adjusted };
    case "boolean":
      return { kind: "boolean" };
    case "list":
      return { kind: "list", ...adjusted, item: modelConstraints(shape.member?.shape ?? "", used) };
    case "structure": {
      const accepted = Object.entries(shape.members ?? {}).filter(([member]) => {
        const notAccepted = `${shapeName}.${member}` in NOT_ACCEPTED;
        if (notAccepted) used.add(`${shapeName}.${member}`);
        return !notAccepted;
      });
      return {
        kind: "structure",
        required: shape.required ?? [],
        members: Object.fromEntries(
          accepted.map(([member, ref]) => [member, modelConstraints(ref.shape, used)]),
        ),
      };
    }
    default:
      throw new Error(`Shape ${shapeName} has type ${shape.type}, which no request member should have`);
  }
};

/**
 * A form fit to compare: bounds the model does not set are left out, required members sorted, enum
 * values sorted (a codec lists them in the order ECR's messages do, which is not always the model's).
 */
const canonical = (constraints: Constraints): unknown => {
  const set = Object.fromEntries(Object.entries(constraints).filter(([, value]) => value !== undefined));
  switch (constraints.kind) {
    case "enum":
      return { ...set, values: [...constraints.values].sort() };
    case "list":
      return { ...set, item: canonical(constraints.item) };
    case "structure":
      return {
        ...set,
        required: [...constraints.required].sort(),
        members: Object.fromEntries(
          Object.entries(constraints.members).map(([member, nested]) => [member, canonical(nested)]),
        ),
      };
    default:
      return set;
  }
};

const inputShape = (theModel: EcrModel, operation: string): string => {
  const input = theModel.operations[operation]?.input?.shape;
  if (input === undefined) throw new Error(`The ECR model has no operation ${operation} with an input`);
  return input;
};

const memberOf = (constraints: Constraints, member: string): Constraints | undefined =>
  constraints.kind === "structure" ? constraints.members[member] : undefined;

describe("request codecs against the ECR model", () => {
  it("serve exactly the operations listed, each of them in the model", () => {
    expect(Object.keys(EcrRequests).sort()).toEqual([...OPERATIONS, ...NOT_IN_BOTOCORE].sort());
    // Once botocore has them, they move to OPERATIONS and are checked like the others.
    for (const operation of NOT_IN_BOTOCORE) expect(model.operations[operation]).toBeUndefined();
    for (const operation of OPERATIONS) expect(inputShape(model, operation)).toMatch(/Request$/);
  });

  it.each(OPERATIONS)("%s: members, required members and constraints are the model's", (operation) => {
    const expected = modelConstraints(inputShape(model, operation), new Set());
    expect(canonical(EcrRequests[operation].constraints)).toEqual(canonical(expected));
  });

  it("lists only deliberate differences that are real", () => {
    const used = new Set<string>();
    for (const operation of OPERATIONS) modelConstraints(inputShape(model, operation), used);
    expect([...used].sort()).toEqual(
      [...Object.keys(STRICTER_THAN_MODEL), ...Object.keys(NOT_ACCEPTED)].sort(),
    );
    for (const [shapeName, stricter] of Object.entries(STRICTER_THAN_MODEL)) {
      const shape = shapeOf(model, shapeName);
      // "Stricter" holds only while the model stays silent on these bounds.
      expect({ shape: shapeName, min: shape.min, max: shape.max }).toEqual({ shape: shapeName });
      expect(stricter.reason).not.toBe("");
    }
  });

  it("bound maxResults to 1–1000, layer parts to 20,971,520 bytes and manifests to 1–4,194,304 characters", () => {
    for (const operation of ["DescribeRepositories", "DescribeImages", "ListImages"] as const) {
      expect(memberOf(EcrRequests[operation].constraints, "maxResults")).toEqual({
        kind: "integer",
        min: 1,
        max: 1000,
      });
    }
    expect(memberOf(EcrRequests.UploadLayerPart.constraints, "layerPartBlob")).toEqual({
      kind: "blob",
      min: 0,
      max: 20_971_520,
    });
    expect(memberOf(EcrRequests.PutImage.constraints, "imageManifest")).toEqual({
      kind: "string",
      min: 1,
      max: 4_194_304,
    });
  });
});

describe("branded values reused as request members", () => {
  const branded = Object.entries(BrandedMembers);

  it.each(branded)("%s declares the constraints of its model shape", (shapeName, member) => {
    expect(canonical(member.constraints)).toEqual(canonical(modelConstraints(shapeName, new Set())));
  });

  it.each(branded)("%s accepts its bounds and refuses one past them", (_, member) => {
    const declared = member.constraints;
    if (declared.kind === "string") {
      // A unit that, repeated, satisfies the pattern: only the length then decides.
      const unit = ["a", "0"].find(
        (u) => declared.pattern === undefined || wholeMatch(declared.pattern).test(u),
      );
      if (unit === undefined) return expect(declared.min ?? declared.max).toBeUndefined();
      if (declared.min !== undefined) {
        expect(member.is(unit.repeat(declared.min))).toBe(true);
        if (declared.min > 0) expect(member.is(unit.repeat(declared.min - 1))).toBe(false);
      }
      if (declared.max !== undefined) {
        expect(member.is(unit.repeat(declared.max))).toBe(true);
        expect(member.is(unit.repeat(declared.max + 1))).toBe(false);
      }
    }
    if (declared.kind === "integer" && declared.min !== undefined) {
      expect(member.is(declared.min)).toBe(true);
      expect(member.is(declared.min - 1)).toBe(false);
    }
    if (declared.kind === "enum") {
      for (const value of declared.values) expect(member.is(value)).toBe(true);
      expect(member.is("NOT_A_VALUE")).toBe(false);
    }
  });

  for (const [shapeName, member] of branded) {
    test.prop([nearValue(member.constraints)], { numRuns: 500 })(
      `${shapeName} accepts exactly what its declaration allows`,
      (value) => {
        expect(member.is(value)).toBe(violationOf(member.constraints, value) === undefined);
      },
    );
  }
});
