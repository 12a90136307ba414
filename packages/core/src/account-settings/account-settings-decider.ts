/**
 * The account settings slice: PutAccountSetting. Its own folder rather than part of
 * registry-settings/ because ECR makes it a capability of its own (two operations, a fixed set of
 * names, each read by another capability: scanning, registry policies, blob mounts), while
 * registry-settings/ holds what Berth itself adds (lenient mode) and DescribeRegistry.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettingsDraft } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import { ACCOUNT_SETTINGS } from "./account-setting-values.js";
import type { AccountSettingsCommand, PutAccountSetting } from "./account-settings-commands.js";
import type { AccountSettingsEvent } from "./account-settings-events.js";
import { accountSetting, checkAccountSettingName } from "./account-settings-queries.js";

const { accept, refuse } = decisionsOf<AccountSettingsEvent>();

/** Idempotent: putting the value a setting already has records nothing. */
export const decidePutAccountSetting = (state: RegistryState, { data }: PutAccountSetting) =>
  pipe(
    checkAccountSettingName(data.name),
    E.chainW((name) => {
      const allowed: ReadonlyArray<string> = ACCOUNT_SETTINGS[name].values;
      if (!allowed.includes(data.value)) {
        return refuse(
          RegistryErrors.invalidParameter(
            `Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [${allowed.join(", ")}]'`,
          ),
        );
      }
      return accountSetting(state, data.registryId, name) === data.value
        ? accept()
        : accept({
            type: "AccountSettingChanged",
            data: { registryId: data.registryId, name, value: data.value },
          });
    }),
  );

export const accountSettingsDecider: Slice<AccountSettingsCommand, AccountSettingsEvent> = {
  decide: { PutAccountSetting: decidePutAccountSetting },
  evolve: {
    AccountSettingChanged: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.accountSettings = { ...settings.accountSettings, [data.name]: data.value };
    },
  },
};
