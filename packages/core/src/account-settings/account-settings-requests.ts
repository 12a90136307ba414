/** Requests of GetAccountSetting and PutAccountSetting, with the model's constraints. */
import type * as t from "io-ts";
import { boundedString, structure } from "../kernel/constraint-codecs.js";

/** Free-form in the model (1–64 characters); the core checks it against ECR's names. */
const name = boundedString({ min: 1, max: 64 }, "AccountSettingName");
const value = boundedString({}, "AccountSettingValue");

export const GetAccountSettingRequest = structure("GetAccountSettingRequest", { name }, {});
export type GetAccountSettingRequest = t.TypeOf<typeof GetAccountSettingRequest>;

export const PutAccountSettingRequest = structure("PutAccountSettingRequest", { name, value }, {});
export type PutAccountSettingRequest = t.TypeOf<typeof PutAccountSettingRequest>;

export const accountSettingsRequests = {
  GetAccountSetting: GetAccountSettingRequest,
  PutAccountSetting: PutAccountSettingRequest,
} as const;
