/** Where a valid request can be broken, and how to break it there without touching anything else. */
import type { Constraints } from "../../src/kernel/constraints.js";

export type MemberPath = ReadonlyArray<string | number>;

export interface MutationSite {
  readonly path: MemberPath;
  readonly constraints: Constraints;
  /** Whether null there is refused: optional members sent as null count as absent. */
  readonly required: boolean;
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The request itself, every member it holds and every item of its lists, nested ones included. */
export const mutationSites = (
  constraints: Constraints,
  value: unknown,
  path: MemberPath = [],
  required = true,
): ReadonlyArray<MutationSite> => {
  const here = { path, constraints, required };
  if (constraints.kind === "structure" && isRecord(value)) {
    return [
      here,
      ...Object.entries(constraints.members).flatMap(([key, member]) =>
        key in value
          ? mutationSites(member, value[key], [...path, key], constraints.required.includes(key))
          : [],
      ),
    ];
  }
  if (constraints.kind === "list" && Array.isArray(value)) {
    return [here, ...value.flatMap((item, i) => mutationSites(constraints.item, item, [...path, i]))];
  }
  return [here];
};

/** A copy of `root` with `replacement` at `path`. */
export const replaceAt = (root: unknown, path: MemberPath, replacement: unknown): unknown => {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(root))
    return root.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item));
  if (isRecord(root)) return { ...root, [head]: replaceAt(root[head], rest, replacement) };
  throw new Error(`No member ${String(head)} in ${JSON.stringify(root)}`);
};

/** ECR's name for a member path: list items are `<list>.<1-based index>.member`. */
export const ecrPath = (path: MemberPath): string =>
  path.map((key) => (typeof key === "number" ? `${key + 1}.member` : key)).join(".");
