/** The lifecycle slice: lifecycle policies, their previews, and their application. */
import type { Slice } from "../kernel/slice.js";
import {
  decideApplyLifecyclePolicy,
  decideDeleteLifecyclePolicy,
  decidePutLifecyclePolicy,
  decideStartLifecyclePolicyPreview,
} from "./decide-lifecycle.js";
import { evolveLifecycle } from "./evolve-lifecycle.js";
import type { LifecycleCommand } from "./lifecycle-commands.js";
import type { LifecycleEvent } from "./lifecycle-events.js";

export const lifecycleDecider: Slice<LifecycleCommand, LifecycleEvent> = {
  decide: {
    PutLifecyclePolicy: decidePutLifecyclePolicy,
    DeleteLifecyclePolicy: decideDeleteLifecyclePolicy,
    StartLifecyclePolicyPreview: decideStartLifecyclePolicyPreview,
    ApplyLifecyclePolicy: decideApplyLifecyclePolicy,
  },
  evolve: evolveLifecycle,
};
