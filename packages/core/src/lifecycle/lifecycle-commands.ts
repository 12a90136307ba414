/** Commands on lifecycle policies: set, delete, preview, and apply (what the engine runs on a schedule). */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { Timestamp } from "../values/primitives.js";

export type PutLifecyclePolicy = Command<
  "PutLifecyclePolicy",
  RepositoryRef & { readonly lifecyclePolicyText: string }
>;
export type DeleteLifecyclePolicy = Command<"DeleteLifecyclePolicy", RepositoryRef>;
/** Evaluates `lifecyclePolicyText` (else the repository's policy) at `now` and records the result. */
export type StartLifecyclePolicyPreview = Command<
  "StartLifecyclePolicyPreview",
  RepositoryRef & { readonly lifecyclePolicyText?: string; readonly now: Timestamp }
>;
/** Applies the repository's policy at `now`: what a preview at `now` shows is what it does. */
export type ApplyLifecyclePolicy = Command<
  "ApplyLifecyclePolicy",
  RepositoryRef & { readonly now: Timestamp }
>;

export type LifecycleCommand =
  | PutLifecyclePolicy
  | DeleteLifecyclePolicy
  | StartLifecyclePolicyPreview
  | ApplyLifecyclePolicy;
