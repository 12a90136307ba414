/** Requests of the ECR operations on the registry as a whole. */
import type * as t from "io-ts";
import { structure } from "./constraint-codecs.js";
import { registryIds } from "./members.js";

export const DescribeRegistryRequest = structure("DescribeRegistryRequest", {}, {});
export type DescribeRegistryRequest = t.TypeOf<typeof DescribeRegistryRequest>;

/** `registryIds` is deprecated by ECR (a token serves every registry) but still accepted. */
export const GetAuthorizationTokenRequest = structure("GetAuthorizationTokenRequest", {}, { registryIds });
export type GetAuthorizationTokenRequest = t.TypeOf<typeof GetAuthorizationTokenRequest>;
