/** Requests of the ECR operations on pull-time update exclusions, with the model's constraints. */
import type * as t from "io-ts";
import { boundedString, structure } from "../kernel/constraint-codecs.js";
import { maxResults, nextToken } from "../kernel/request-members.js";

const principalArn = boundedString(
  { max: 200, pattern: "^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$" },
  "PrincipalArn",
);

export const RegisterPullTimeUpdateExclusionRequest = structure(
  "RegisterPullTimeUpdateExclusionRequest",
  { principalArn },
  {},
);
export type RegisterPullTimeUpdateExclusionRequest = t.TypeOf<typeof RegisterPullTimeUpdateExclusionRequest>;

export const DeregisterPullTimeUpdateExclusionRequest = structure(
  "DeregisterPullTimeUpdateExclusionRequest",
  { principalArn },
  {},
);

export const ListPullTimeUpdateExclusionsRequest = structure(
  "ListPullTimeUpdateExclusionsRequest",
  {},
  { maxResults, nextToken },
);

export const pullTimeExclusionRequests = {
  RegisterPullTimeUpdateExclusion: RegisterPullTimeUpdateExclusionRequest,
  DeregisterPullTimeUpdateExclusion: DeregisterPullTimeUpdateExclusionRequest,
  ListPullTimeUpdateExclusions: ListPullTimeUpdateExclusionsRequest,
} as const;
