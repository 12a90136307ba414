/** Access keys Berth accepts: access key id → secret key, and the account (registry id) it acts for. */
import type { RegistryId } from "@berth/core";

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: RegistryId;
}

export type CredentialStore = ReadonlyMap<string, AccessKey>;

/**
 * Parses `AKID:SECRET[:ACCOUNT]` entries separated by commas (the `--credentials` flag and the
 * BERTH_CREDENTIALS variable); the account defaults to `defaultAccount`.
 */
export const parseCredentials = (spec: string, defaultAccount: RegistryId): CredentialStore => {
  const keys = new Map<string, AccessKey>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const [accessKeyId, secretAccessKey, account] = entry.split(":");
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(`Invalid credentials entry '${entry}': expected ACCESS_KEY_ID:SECRET[:ACCOUNT_ID]`);
    }
    if (account !== undefined && !/^[0-9]{12}$/.test(account)) {
      throw new Error(`Invalid account id '${account}' for ${accessKeyId}: expected 12 digits`);
    }
    keys.set(accessKeyId, {
      accessKeyId,
      secretAccessKey,
      accountId: (account ?? defaultAccount) as RegistryId,
    });
  }
  return keys;
};
