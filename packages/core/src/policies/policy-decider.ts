/** The policies slice: repository and registry policies, and the resource tags of repositories. */
import type { Slice } from "../kernel/slice.js";
import {
  decideDeleteRegistryPolicy,
  decideDeleteRepositoryPolicy,
  decidePutRegistryPolicy,
  decideSetRepositoryPolicy,
} from "./decide-policy.js";
import { decideTagResource, decideUntagResource } from "./decide-resource-tags.js";
import { evolvePolicy } from "./evolve-policy.js";
import type { PolicyCommand } from "./policy-commands.js";
import type { PolicyEvent } from "./policy-events.js";

export const policyDecider: Slice<PolicyCommand, PolicyEvent> = {
  decide: {
    SetRepositoryPolicy: decideSetRepositoryPolicy,
    DeleteRepositoryPolicy: decideDeleteRepositoryPolicy,
    PutRegistryPolicy: decidePutRegistryPolicy,
    DeleteRegistryPolicy: decideDeleteRegistryPolicy,
    TagResource: decideTagResource,
    UntagResource: decideUntagResource,
  },
  evolve: evolvePolicy,
};
