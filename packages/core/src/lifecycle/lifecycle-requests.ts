/** Requests of the ECR operations on lifecycle policies, with the model's constraints. */
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { boundedInt, boundedString, structure } from "../kernel/constraint-codecs.js";
import { imageIds, nextToken, registryId, repositoryName } from "../kernel/request-members.js";

export const LIFECYCLE_POLICY_TEXT_LENGTH = { min: 100, max: 30_720 } as const;

const lifecyclePolicyText = boundedString(LIFECYCLE_POLICY_TEXT_LENGTH, "LifecyclePolicyText");
const maxResults = boundedInt({ min: 1, max: 100 }, "LifecyclePreviewMaxResults");
const filter = structure("LifecyclePolicyPreviewFilter", {}, { tagStatus: BrandedMembers.TagStatus });

export const PutLifecyclePolicyRequest = structure(
  "PutLifecyclePolicyRequest",
  { repositoryName, lifecyclePolicyText },
  { registryId },
);
export type PutLifecyclePolicyRequest = t.TypeOf<typeof PutLifecyclePolicyRequest>;

export const GetLifecyclePolicyRequest = structure(
  "GetLifecyclePolicyRequest",
  { repositoryName },
  { registryId },
);
export type GetLifecyclePolicyRequest = t.TypeOf<typeof GetLifecyclePolicyRequest>;

export const DeleteLifecyclePolicyRequest = structure(
  "DeleteLifecyclePolicyRequest",
  { repositoryName },
  { registryId },
);
export type DeleteLifecyclePolicyRequest = t.TypeOf<typeof DeleteLifecyclePolicyRequest>;

export const StartLifecyclePolicyPreviewRequest = structure(
  "StartLifecyclePolicyPreviewRequest",
  { repositoryName },
  { registryId, lifecyclePolicyText },
);
export type StartLifecyclePolicyPreviewRequest = t.TypeOf<typeof StartLifecyclePolicyPreviewRequest>;

export const GetLifecyclePolicyPreviewRequest = structure(
  "GetLifecyclePolicyPreviewRequest",
  { repositoryName },
  { registryId, imageIds, nextToken, maxResults, filter },
);
export type GetLifecyclePolicyPreviewRequest = t.TypeOf<typeof GetLifecyclePolicyPreviewRequest>;

export const lifecycleRequests = {
  PutLifecyclePolicy: PutLifecyclePolicyRequest,
  GetLifecyclePolicy: GetLifecyclePolicyRequest,
  DeleteLifecyclePolicy: DeleteLifecyclePolicyRequest,
  StartLifecyclePolicyPreview: StartLifecyclePolicyPreviewRequest,
  GetLifecyclePolicyPreview: GetLifecyclePolicyPreviewRequest,
} as const;
