/**
 * Answers in a region's registry as ECR gives them: core names a registry by its key (the account,
 * or `<account>/<region>` outside the default region: values/registry-key.ts in @berth/core), while
 * on the wire `registryId` is always the 12-digit account, in members and in messages alike.
 */
import { accountOf, type RegistryId } from "@berth/core";

/** Messages that may name the registry inside their text. */
const TEXT_MEMBERS = new Set(["message", "failureReason"]);

const rewrite = (
  value: unknown,
  key: RegistryId,
  account: RegistryId,
  member: string | undefined,
): unknown => {
  if (typeof value === "string") {
    if (value === key) return account;
    return member !== undefined && TEXT_MEMBERS.has(member) ? value.replaceAll(key, account) : value;
  }
  if (Array.isArray(value)) return value.map((item) => rewrite(item, key, account, undefined));
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, rewrite(item, key, account, name)]),
  );
};

/** `value` with registry `key` named by its account; unchanged (not copied) for a bare account. */
export const registryOnWire = <A>(value: A, key: RegistryId): A => {
  const account = accountOf(key);
  return account === key ? value : (rewrite(value, key, account, undefined) as A);
};
