/**
 * What ECR checks in a policy's text before it stores it: an IAM policy document (a `Version`, and
 * `Statement`s with `Effect`, `Principal` and `Action`); a registry policy may grant only the
 * actions ECR allows there; a repository policy that would lock everyone out of
 * SetRepositoryPolicy needs `force`. Berth stores policies; it does not evaluate them.
 */

/** The actions a registry policy may name (replication, pull-through cache, create on push). */
export const REGISTRY_POLICY_ACTIONS: ReadonlyArray<string> = [
  "ecr:CreateRepository",
  "ecr:ReplicateImage",
  "ecr:BatchImportUpstreamImage",
];

interface Statement {
  readonly effect: "Allow" | "Deny";
  readonly principals: ReadonlyArray<string>;
  readonly actions: ReadonlyArray<string>;
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u);

/** A string or a non-empty list of strings, as IAM writes Action and principal lists. */
const stringsOf = (u: unknown): ReadonlyArray<string> | undefined => {
  if (typeof u === "string") return [u];
  return Array.isArray(u) && u.length > 0 && u.every((item) => typeof item === "string") ? u : undefined;
};

/** `"*"` or `{ "AWS": …, "Service": …, … }`, each a string or a list of strings. */
const principalsOf = (u: unknown): ReadonlyArray<string> | undefined => {
  if (u === "*") return ["*"];
  if (!isRecord(u) || Object.keys(u).length === 0) return undefined;
  const lists = Object.values(u).map(stringsOf);
  return lists.every((list) => list !== undefined) ? lists.flat() : undefined;
};

const statementOf = (u: unknown): Statement | undefined => {
  if (!isRecord(u) || (u.Effect !== "Allow" && u.Effect !== "Deny")) return undefined;
  const principals = principalsOf(u.Principal ?? u.NotPrincipal);
  const actions = stringsOf(u.Action ?? u.NotAction);
  return principals === undefined || actions === undefined
    ? undefined
    : { effect: u.Effect, principals, actions };
};

/** The statements of an IAM policy document, or undefined when the text is not one. */
export const policyStatements = (text: string): ReadonlyArray<Statement> | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || typeof json.Version !== "string") return undefined;
  const raw = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
  const statements = raw.map(statementOf);
  return statements.length > 0 && statements.every((s) => s !== undefined) ? statements : undefined;
};

/** IAM's wildcard match, case-insensitive as action names are. */
const matches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);

export const isRegistryPolicy = (text: string): boolean =>
  policyStatements(text)?.every((statement) =>
    statement.actions.every((action) =>
      REGISTRY_POLICY_ACTIONS.some((allowed) => allowed.toLowerCase() === action.toLowerCase()),
    ),
  ) ?? false;

export const isRepositoryPolicy = (text: string): boolean => policyStatements(text) !== undefined;

/**
 * Whether the policy denies SetRepositoryPolicy to everyone or to the registry's own account, so
 * that once set nobody could change it again: ECR asks for `force` to set such a policy.
 */
export const locksOutPolicyChanges = (text: string, registryId: string): boolean =>
  (policyStatements(text) ?? []).some(
    (statement) =>
      statement.effect === "Deny" &&
      statement.actions.some((action) => matches(action, "ecr:SetRepositoryPolicy")) &&
      statement.principals.some(
        (principal) =>
          principal === "*" || principal === registryId || principal === `arn:aws:iam::${registryId}:root`,
      ),
  );
