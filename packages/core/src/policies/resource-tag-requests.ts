/** Requests of the ECR operations on resource tags (repositories are the only tagged resources). */
import type * as t from "io-ts";
import { boundedList, boundedString, structure } from "../kernel/constraint-codecs.js";
import { tagKey, tags } from "../kernel/request-members.js";

const tagKeys = boundedList(tagKey, {}, "TagKeyList");
const resourceArn = boundedString({}, "Arn");

export const TagResourceRequest = structure("TagResourceRequest", { resourceArn, tags }, {});
export type TagResourceRequest = t.TypeOf<typeof TagResourceRequest>;

export const UntagResourceRequest = structure("UntagResourceRequest", { resourceArn, tagKeys }, {});
export type UntagResourceRequest = t.TypeOf<typeof UntagResourceRequest>;

export const ListTagsForResourceRequest = structure("ListTagsForResourceRequest", { resourceArn }, {});
export type ListTagsForResourceRequest = t.TypeOf<typeof ListTagsForResourceRequest>;

export const resourceTagRequests = {
  TagResource: TagResourceRequest,
  UntagResource: UntagResourceRequest,
  ListTagsForResource: ListTagsForResourceRequest,
} as const;
