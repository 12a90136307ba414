/**
 * Lifecycle policy text → LifecyclePolicy, or ECR's refusal:
 * `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy
 * validation failure: …'`. The shape is checked as ECR's JSON schema does (and in its validator's
 * words: missing or unknown properties, types, enums, minimums); the rules between members, which
 * ECR states in its documentation, are checked after, each with a message that names the rule.
 */
import * as E from "fp-ts/lib/Either.js";
import {
  ACTION_TYPES,
  COUNT_TYPES,
  COUNT_UNITS,
  type LifecyclePolicy,
  type LifecycleRule,
  MAX_PATTERN_WILDCARDS,
  type RuleAction,
  type RuleSelection,
  STORAGE_CLASSES,
  TAG_STATUSES,
  TARGET_STORAGE_CLASSES,
} from "./lifecycle-policy.js";

export const lifecyclePolicyRefusal = (failure: string): string =>
  `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${failure}'`;

/** Thrown inside this module only, and turned into a Left before anything leaves it. */
class PolicyFault {
  constructor(readonly failure: string) {}
}
const fault = (failure: string): never => {
  throw new PolicyFault(failure);
};

const list = (values: ReadonlyArray<string>) => `[${values.map((v) => JSON.stringify(v)).join(",")}]`;

const jsonType = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
};

type JsonObject = Readonly<Record<string, unknown>>;

const expectType = (value: unknown, expected: "object" | "array" | "string" | "integer") => {
  if (jsonType(value) !== expected) {
    fault(
      `instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["${expected}"])`,
    );
  }
};

/** An object with exactly the allowed properties, the required ones among them. */
const object = (value: unknown, required: ReadonlyArray<string>, optional: ReadonlyArray<string>) => {
  expectType(value, "object");
  const record = value as JsonObject;
  const missing = required.filter((key) => !(key in record)).sort();
  if (missing.length > 0) fault(`object has missing required properties (${list(missing)})`);
  const unknown = Object.keys(record)
    .filter((key) => !required.includes(key) && !optional.includes(key))
    .sort();
  if (unknown.length > 0) {
    fault(`object instance has properties which are not allowed by the schema: (${list(unknown)})`);
  }
  return record;
};

const oneOf = <V extends string>(value: unknown, values: ReadonlyArray<V>): V => {
  expectType(value, "string");
  if (!values.includes(value as V)) {
    fault(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${list(values)})`);
  }
  return value as V;
};

const integerAtLeast = (value: unknown, minimum: number): number => {
  expectType(value, "integer");
  if ((value as number) < minimum) {
    fault(`numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${value})`);
  }
  return value as number;
};

const nonEmptyArray = (value: unknown): ReadonlyArray<unknown> => {
  expectType(value, "array");
  const items = value as ReadonlyArray<unknown>;
  if (items.length === 0)
    fault("array is too short: must have at least 1 elements but instance has 0 elements");
  return items;
};

const stringList = (value: unknown): ReadonlyArray<string> =>
  nonEmptyArray(value).map((item) => {
    expectType(item, "string");
    return item as string;
  });

const SINCE_COUNT_TYPES: ReadonlyArray<string> = COUNT_TYPES.filter((type) => type.startsWith("since"));

const parseSelection = (value: unknown): RuleSelection => {
  const s = object(
    value,
    ["tagStatus", "countType", "countNumber"],
    ["tagPrefixList", "tagPatternList", "storageClass", "countUnit"],
  );
  const tagStatus = oneOf(s.tagStatus, TAG_STATUSES);
  const tagPrefixList = s.tagPrefixList === undefined ? undefined : stringList(s.tagPrefixList);
  const tagPatternList = s.tagPatternList === undefined ? undefined : stringList(s.tagPatternList);
  const storageClass = s.storageClass === undefined ? "standard" : oneOf(s.storageClass, STORAGE_CLASSES);
  const countType = oneOf(s.countType, COUNT_TYPES);
  const countUnit = s.countUnit === undefined ? undefined : oneOf(s.countUnit, COUNT_UNITS);
  const countNumber = integerAtLeast(s.countNumber, 1);

  const tagLists = (tagPrefixList === undefined ? 0 : 1) + (tagPatternList === undefined ? 0 : 1);
  if (tagStatus !== "tagged" && tagLists > 0) {
    fault("tagPrefixList and tagPatternList can only be given when tagStatus is 'tagged'");
  }
  if (tagStatus === "tagged" && tagLists === 0) {
    fault("a rule with tagStatus 'tagged' must give tagPrefixList or tagPatternList");
  }
  if (tagLists === 2) fault("a rule gives tagPrefixList or tagPatternList, not both");
  for (const pattern of tagPatternList ?? []) {
    if (pattern.split("*").length - 1 > MAX_PATTERN_WILDCARDS) {
      fault(`the tag pattern '${pattern}' has more than ${MAX_PATTERN_WILDCARDS} wildcards (*)`);
    }
  }
  const since = SINCE_COUNT_TYPES.includes(countType);
  if (since && countUnit === undefined) fault(`countUnit 'days' is required with countType '${countType}'`);
  if (!since && countUnit !== undefined) {
    fault(`countUnit can only be given with countType ${SINCE_COUNT_TYPES.map((t) => `'${t}'`).join(", ")}`);
  }
  if (storageClass === "archive" && countType !== "sinceImageTransitioned") {
    fault("storageClass 'archive' can only be selected with countType 'sinceImageTransitioned'");
  }
  if (countType === "sinceImageTransitioned" && storageClass !== "archive") {
    fault("countType 'sinceImageTransitioned' needs storageClass 'archive'");
  }
  return {
    tagStatus,
    ...(tagPrefixList === undefined ? {} : { tagPrefixList }),
    ...(tagPatternList === undefined ? {} : { tagPatternList }),
    storageClass,
    countType,
    ...(countUnit === undefined ? {} : { countUnit }),
    countNumber,
  };
};

const parseAction = (value: unknown): RuleAction => {
  const a = object(value, ["type"], ["targetStorageClass"]);
  const type = oneOf(a.type, ACTION_TYPES);
  if (type === "expire") {
    if (a.targetStorageClass !== undefined) {
      fault("targetStorageClass can only be given with an action of type 'transition'");
    }
    return { type };
  }
  if (a.targetStorageClass === undefined)
    fault("an action of type 'transition' needs targetStorageClass 'archive'");
  return { type, targetStorageClass: oneOf(a.targetStorageClass, TARGET_STORAGE_CLASSES) };
};

const parseRule = (value: unknown): LifecycleRule => {
  const r = object(value, ["rulePriority", "selection", "action"], ["description"]);
  const rulePriority = integerAtLeast(r.rulePriority, 1);
  if (r.description !== undefined) expectType(r.description, "string");
  const selection = parseSelection(r.selection);
  const action = parseAction(r.action);
  if (action.type === "transition" && selection.storageClass === "archive") {
    fault(
      "a rule with a 'transition' action selects storageClass 'standard': its images are archived already",
    );
  }
  return {
    rulePriority,
    ...(r.description === undefined ? {} : { description: r.description as string }),
    selection,
    action,
  };
};

/** The rules between rules: unique priorities, `any` last, one rule for untagged images. */
const checkRules = (rules: ReadonlyArray<LifecycleRule>) => {
  const seen = new Set<number>();
  for (const { rulePriority } of rules) {
    if (seen.has(rulePriority))
      fault(`rulePriority must be unique: ${rulePriority} is given to more than one rule`);
    seen.add(rulePriority);
  }
  const highest = Math.max(...seen);
  if (rules.some((rule) => rule.selection.tagStatus === "any" && rule.rulePriority !== highest)) {
    fault("the rule with tagStatus 'any' must have the highest rulePriority");
  }
  if (rules.filter((rule) => rule.selection.tagStatus === "untagged").length > 1) {
    fault("only one rule may select untagged images (tagStatus 'untagged')");
  }
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return fault("Could not map policyString into LifecyclePolicy.");
  }
};

/** The policy, rules sorted by priority; Left is the whole InvalidParameterException message. */
export const parseLifecyclePolicy = (text: string): E.Either<string, LifecyclePolicy> => {
  try {
    const json = parseJson(text);
    if (jsonType(json) !== "object") fault("Could not map policyString into LifecyclePolicy.");
    const document = object(json, ["rules"], []);
    const rules = nonEmptyArray(document.rules).map(parseRule);
    checkRules(rules);
    return E.right({ rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority) });
  } catch (error) {
    if (error instanceof PolicyFault) return E.left(lifecyclePolicyRefusal(error.failure));
    throw error;
  }
};
