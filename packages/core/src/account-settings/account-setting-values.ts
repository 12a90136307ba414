/**
 * ECR's account settings: their names, the values PutAccountSetting accepts (the model leaves both
 * free-form strings; its documentation lists them) and the value each has until set.
 */
export const ACCOUNT_SETTINGS = {
  BASIC_SCAN_TYPE_VERSION: { values: ["AWS_NATIVE"], default: "AWS_NATIVE" },
  REGISTRY_POLICY_SCOPE: { values: ["V2"], default: "V2" },
  /**
   * ECR's default for a new account is DISABLED; Berth's is ENABLED, because Berth mounted blobs
   * across repositories before the setting existed and docker/skopeo pushes rely on it (README).
   */
  BLOB_MOUNTING: { values: ["ENABLED", "DISABLED"], default: "ENABLED" },
} as const satisfies Readonly<Record<string, { values: ReadonlyArray<string>; default: string }>>;

export type AccountSettingName = keyof typeof ACCOUNT_SETTINGS;
export type AccountSettingValue<Name extends AccountSettingName> =
  (typeof ACCOUNT_SETTINGS)[Name]["values"][number];

/** The settings a registry has set; a name left out has its default. */
export type AccountSettings = Readonly<Partial<Record<AccountSettingName, string>>>;

export const ACCOUNT_SETTING_NAMES = Object.keys(ACCOUNT_SETTINGS) as ReadonlyArray<AccountSettingName>;

export const isAccountSettingName = (name: string): name is AccountSettingName =>
  Object.hasOwn(ACCOUNT_SETTINGS, name);
