/** Requests of the ECR operations on resource tags (repositories are the only tagged resources). */
import type * as t from "io-ts";
import { structure } from "./constraint-codecs.js";
import { resourceArn, tagKeys, tags } from "./members.js";

export const TagResourceRequest = structure("TagResourceRequest", { resourceArn, tags }, {});
export type TagResourceRequest = t.TypeOf<typeof TagResourceRequest>;

export const UntagResourceRequest = structure("UntagResourceRequest", { resourceArn, tagKeys }, {});
export type UntagResourceRequest = t.TypeOf<typeof UntagResourceRequest>;

export const ListTagsForResourceRequest = structure("ListTagsForResourceRequest", { resourceArn }, {});
export type ListTagsForResourceRequest = t.TypeOf<typeof ListTagsForResourceRequest>;
