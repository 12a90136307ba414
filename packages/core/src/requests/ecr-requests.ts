/**
 * Every ECR operation Berth serves, mapped to the codec of its request: the HTTP edge finds the
 * operation named by `X-Amz-Target` here.
 */
import type * as t from "io-ts";
import {
  BatchDeleteImageRequest,
  BatchGetImageRequest,
  DescribeImagesRequest,
  ListImagesRequest,
  PutImageRequest,
} from "./image-requests.js";
import {
  BatchCheckLayerAvailabilityRequest,
  CompleteLayerUploadRequest,
  GetDownloadUrlForLayerRequest,
  InitiateLayerUploadRequest,
  UploadLayerPartRequest,
} from "./layer-requests.js";
import {
  DeleteRegistryPolicyRequest,
  DeleteRepositoryPolicyRequest,
  GetRegistryPolicyRequest,
  GetRepositoryPolicyRequest,
  PutRegistryPolicyRequest,
  SetRepositoryPolicyRequest,
} from "./policy-requests.js";
import { DescribeRegistryRequest, GetAuthorizationTokenRequest } from "./registry-requests.js";
import {
  CreateRepositoryRequest,
  DeleteRepositoryRequest,
  DescribeRepositoriesRequest,
  PutImageTagMutabilityRequest,
} from "./repository-requests.js";
import {
  ListTagsForResourceRequest,
  TagResourceRequest,
  UntagResourceRequest,
} from "./resource-tag-requests.js";

export const EcrRequests = {
  CreateRepository: CreateRepositoryRequest,
  DeleteRepository: DeleteRepositoryRequest,
  DescribeRepositories: DescribeRepositoriesRequest,
  PutImageTagMutability: PutImageTagMutabilityRequest,
  PutImage: PutImageRequest,
  BatchGetImage: BatchGetImageRequest,
  BatchDeleteImage: BatchDeleteImageRequest,
  DescribeImages: DescribeImagesRequest,
  ListImages: ListImagesRequest,
  InitiateLayerUpload: InitiateLayerUploadRequest,
  UploadLayerPart: UploadLayerPartRequest,
  CompleteLayerUpload: CompleteLayerUploadRequest,
  BatchCheckLayerAvailability: BatchCheckLayerAvailabilityRequest,
  GetDownloadUrlForLayer: GetDownloadUrlForLayerRequest,
  SetRepositoryPolicy: SetRepositoryPolicyRequest,
  GetRepositoryPolicy: GetRepositoryPolicyRequest,
  DeleteRepositoryPolicy: DeleteRepositoryPolicyRequest,
  PutRegistryPolicy: PutRegistryPolicyRequest,
  GetRegistryPolicy: GetRegistryPolicyRequest,
  DeleteRegistryPolicy: DeleteRegistryPolicyRequest,
  TagResource: TagResourceRequest,
  UntagResource: UntagResourceRequest,
  ListTagsForResource: ListTagsForResourceRequest,
  DescribeRegistry: DescribeRegistryRequest,
  GetAuthorizationToken: GetAuthorizationTokenRequest,
} as const;

export type EcrOperation = keyof typeof EcrRequests;
export type EcrRequest<Operation extends EcrOperation> = t.TypeOf<(typeof EcrRequests)[Operation]>;

export const isEcrOperation = (name: string): name is EcrOperation => Object.hasOwn(EcrRequests, name);
