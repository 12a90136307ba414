/**
 * The lifecycle rule language of ECR, as data: a policy is a list of rules, each selecting images
 * (by tag status, tags, storage class) and counting them (by number or by age), and an action on
 * the images its count marks. `parseLifecyclePolicy` turns policy text into this, or refuses it.
 */

export const TAG_STATUSES = ["tagged", "untagged", "any"] as const;
export const STORAGE_CLASSES = ["standard", "archive"] as const;
export const COUNT_TYPES = [
  "imageCountMoreThan",
  "sinceImagePushed",
  "sinceImagePulled",
  "sinceImageTransitioned",
] as const;
export const COUNT_UNITS = ["days"] as const;
export const ACTION_TYPES = ["expire", "transition"] as const;
export const TARGET_STORAGE_CLASSES = ["archive"] as const;
/** ECR allows at most four `*` in one tag pattern. */
export const MAX_PATTERN_WILDCARDS = 4;

export type RuleTagStatus = (typeof TAG_STATUSES)[number];
export type RuleStorageClass = (typeof STORAGE_CLASSES)[number];
export type CountType = (typeof COUNT_TYPES)[number];

export interface RuleSelection {
  readonly tagStatus: RuleTagStatus;
  /** Only with `tagged`: an image is selected when each prefix starts one of its tags. */
  readonly tagPrefixList?: ReadonlyArray<string>;
  /** Only with `tagged`: an image is selected when each pattern matches one of its tags whole. */
  readonly tagPatternList?: ReadonlyArray<string>;
  readonly storageClass: RuleStorageClass;
  readonly countType: CountType;
  /** `days`, for the `since…` count types only. */
  readonly countUnit?: "days";
  readonly countNumber: number;
}

export type RuleAction =
  | { readonly type: "expire" }
  | { readonly type: "transition"; readonly targetStorageClass: "archive" };

export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: RuleSelection;
  readonly action: RuleAction;
}

export interface LifecyclePolicy {
  /** Sorted by rulePriority, lowest (applied first) first. */
  readonly rules: ReadonlyArray<LifecycleRule>;
}

/** A tag pattern as a whole-tag regular expression: `*` matches any run, everything else itself. */
export const tagPatternRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
