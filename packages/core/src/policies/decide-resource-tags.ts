/** TagResource and UntagResource (repositories are the only tagged resources). */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { TagResource, UntagResource } from "./policy-commands.js";
import type { PolicyEvent } from "./policy-events.js";
import { reservedResourceTagError, reservedTagKeyError, tooManyTagsError } from "./resource-tag-rules.js";

const { accept, refuse } = decisionsOf<PolicyEvent>();

export const decideTagResource = (state: RegistryState, { data }: TagResource) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      const keys = new Set([...repository.resourceTags.keys(), ...data.tags.map((tag) => tag.Key)]);
      const error = reservedResourceTagError(data.tags) ?? tooManyTagsError(keys.size);
      if (error !== undefined) return refuse(error);
      return accept({
        type: "ResourceTagsAdded",
        data: { registryId: data.registryId, repositoryName: data.repositoryName, tags: data.tags },
      });
    }),
  );

export const decideUntagResource = (state: RegistryState, { data }: UntagResource) =>
  pipe(
    requireRepository(state, data),
    E.chain(() => {
      const error = reservedTagKeyError(data.tagKeys);
      if (error !== undefined) return refuse(error);
      return accept({
        type: "ResourceTagsRemoved",
        data: { registryId: data.registryId, repositoryName: data.repositoryName, tagKeys: data.tagKeys },
      });
    }),
  );
