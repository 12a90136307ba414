/** The request of UpdateImageStorageClass, with the model's constraints. */
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { structure } from "../kernel/constraint-codecs.js";
import { imageIdentifier as imageId, registryId, repositoryName } from "../kernel/request-members.js";

const targetStorageClass = BrandedMembers.TargetStorageClass;

export const UpdateImageStorageClassRequest = structure(
  "UpdateImageStorageClassRequest",
  { repositoryName, imageId, targetStorageClass },
  { registryId },
);
export type UpdateImageStorageClassRequest = t.TypeOf<typeof UpdateImageStorageClassRequest>;

export const archiveRequests = { UpdateImageStorageClass: UpdateImageStorageClassRequest } as const;
