/** Access keys Berth accepts: access key id → secret key, and the account (registry id) it acts for. */
import type { RegistryId } from "@berth/core";

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: RegistryId;
  /** Who the key's requests come from (pull-time update exclusions name it); default the account's root. */
  readonly principalArn: string;
}

export type CredentialStore = ReadonlyMap<string, AccessKey>;

/**
 * Parses `AKID:SECRET[:ACCOUNT[:PRINCIPAL_ARN]]` entries separated by commas (the `--credentials`
 * flag and the BERTH_CREDENTIALS variable); the account defaults to `defaultAccount`, the principal
 * to the account's root (`arn:aws:iam::ACCOUNT:root`), as for an account's own keys.
 */
export const parseCredentials = (spec: string, defaultAccount: RegistryId): CredentialStore => {
  const keys = new Map<string, AccessKey>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const [accessKeyId, secretAccessKey, account, ...principal] = entry.split(":");
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(`Invalid credentials entry '${entry}': expected ACCESS_KEY_ID:SECRET[:ACCOUNT_ID]`);
    }
    if (account !== undefined && !/^[0-9]{12}$/.test(account)) {
      throw new Error(`Invalid account id '${account}' for ${accessKeyId}: expected 12 digits`);
    }
    const accountId = (account ?? defaultAccount) as RegistryId;
    // An ARN holds colons itself: whatever follows the account is the principal.
    const principalArn = principal.length === 0 ? `arn:aws:iam::${accountId}:root` : principal.join(":");
    if (!/^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$/.test(principalArn)) {
      throw new Error(`Invalid principal '${principalArn}' for ${accessKeyId}: expected an IAM or STS ARN`);
    }
    keys.set(accessKeyId, { accessKeyId, secretAccessKey, accountId, principalArn });
  }
  return keys;
};
