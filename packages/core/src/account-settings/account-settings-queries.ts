/** GetAccountSetting, and the settings other slices consult (BLOB_MOUNTING for mounts). */
import * as E from "fp-ts/lib/Either.js";
import { type InvalidParameterException, RegistryErrors } from "../kernel/registry-errors.js";
import type { RegistryState } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";
import {
  ACCOUNT_SETTING_NAMES,
  ACCOUNT_SETTINGS,
  type AccountSettingName,
  isAccountSettingName,
} from "./account-setting-values.js";

/** The value of a setting in a registry: what was put, else the default. */
export const accountSetting = (
  state: RegistryState,
  registryId: RegistryId,
  name: AccountSettingName,
): string => state.registries.get(registryId)?.accountSettings?.[name] ?? ACCOUNT_SETTINGS[name].default;

export const checkAccountSettingName = (
  name: string,
): E.Either<InvalidParameterException, AccountSettingName> =>
  isAccountSettingName(name)
    ? E.right(name)
    : E.left(
        RegistryErrors.invalidParameter(
          `Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [${ACCOUNT_SETTING_NAMES.join(", ")}]'`,
        ),
      );

export const getAccountSetting = (
  state: RegistryState,
  query: { readonly registryId: RegistryId; readonly name: string },
): E.Either<InvalidParameterException, { name: AccountSettingName; value: string }> =>
  E.map((name: AccountSettingName) => ({ name, value: accountSetting(state, query.registryId, name) }))(
    checkAccountSettingName(query.name),
  );
