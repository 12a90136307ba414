/**
 * Cross-account replication needs the destination registry's policy to allow `ecr:ReplicateImage`
 * for the source account, as in ECR: an Allow statement naming the action (or a wildcard over it)
 * and the account (its id, its root or any of its principals, or `*`), and no Deny matching.
 */
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import { policyStatements } from "../policies/policy-documents.js";
import type { RegistryId } from "../values/primitives.js";
import { accountOf } from "../values/registry-key.js";

const wildcard = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);

const namesAccount = (principal: string, account: RegistryId): boolean =>
  principal === "*" || principal === account || principal.startsWith(`arn:aws:iam::${account}:`);

/** Whether the policy text grants `action` to `account` (an unreadable or absent policy grants nothing). */
export const policyAllows = (text: string | undefined, action: string, account: RegistryId): boolean => {
  const statements = text === undefined ? undefined : policyStatements(text);
  if (statements === undefined) return false;
  const applies = (s: (typeof statements)[number]) =>
    s.actions.some((a) => wildcard(a, action)) && s.principals.some((p) => namesAccount(p, account));
  return (
    !statements.some((s) => s.effect === "Deny" && applies(s)) &&
    statements.some((s) => s.effect === "Allow" && applies(s))
  );
};

/**
 * The failure code of a replication the registry `source` may not make into `destination` (registry
 * keys), or undefined when it may: within one account (another region) no policy is needed.
 */
export const replicationRefusal = (
  state: RegistryState,
  source: RegistryId,
  destination: RegistryId,
): string | undefined =>
  accountOf(source) === accountOf(destination) ||
  policyAllows(registrySettings(state, destination).policyText, "ecr:ReplicateImage", accountOf(source))
    ? undefined
    : `REPLICATION_NOT_ALLOWED: the registry policy of '${accountOf(destination)}' does not allow ecr:ReplicateImage for account '${accountOf(source)}'`;
