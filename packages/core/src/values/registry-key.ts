/**
 * Which registry a request acts in: one per (account, region). Events, state and stream names name
 * a registry by its key, a `RegistryId`: for the default region (the server's `--region`) the key is
 * the bare 12-digit account, exactly as before regions existed, so events recorded then belong to the
 * default region with no migration; for any other region it is `<account>/<region>`. On the wire
 * `registryId` stays the account (`accountOf`), and ARNs and URIs name the key's region (`regionOf`).
 */
import type { RegistryId } from "./primitives.js";

/** An AWS region name as SigV4 credential scopes carry it: `us-east-1`, `eu-central-2`, `us-gov-west-1`. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

export const isAwsRegion = (name: string): boolean => AWS_REGION_PATTERN.test(name);

/** The registry of `account` in `region`, for a server whose default region is `defaultRegion`. */
export const registryKey = (account: RegistryId, region: string, defaultRegion: string): RegistryId =>
  region === defaultRegion ? account : (`${account.slice(0, 12)}/${region}` as RegistryId);

/** The account a registry key belongs to: what `registryId` says on the wire. */
export const accountOf = (key: RegistryId): RegistryId => key.slice(0, 12) as RegistryId;

/** The region a registry key lives in: its own, or the default region for a bare account. */
export const regionOf = (key: RegistryId, defaultRegion: string): string =>
  key.length > 12 ? key.slice(13) : defaultRegion;

const KEY_IN_TEXT = /\b([0-9]{12})\/[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\b/g;

/** `text` (a message) with each registry key it names written as its account, as ECR names registries. */
export const accountsInText = (text: string): string => text.replace(KEY_IN_TEXT, "$1");
