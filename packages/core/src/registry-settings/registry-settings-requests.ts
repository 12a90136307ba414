/** Requests of the ECR operations on the registry as a whole. */
import type * as t from "io-ts";
import { boundedList, structure } from "../kernel/constraint-codecs.js";
import { registryId } from "../kernel/request-members.js";

const registryIds = boundedList(registryId, { min: 1, max: 10 }, "GetAuthorizationTokenRegistryIdList");

export const DescribeRegistryRequest = structure("DescribeRegistryRequest", {}, {});
export type DescribeRegistryRequest = t.TypeOf<typeof DescribeRegistryRequest>;

/** `registryIds` is deprecated by ECR (a token serves every registry) but still accepted. */
export const GetAuthorizationTokenRequest = structure("GetAuthorizationTokenRequest", {}, { registryIds });
export type GetAuthorizationTokenRequest = t.TypeOf<typeof GetAuthorizationTokenRequest>;

export const registrySettingsRequests = {
  DescribeRegistry: DescribeRegistryRequest,
  GetAuthorizationToken: GetAuthorizationTokenRequest,
} as const;
