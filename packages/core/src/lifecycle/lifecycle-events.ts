/** Events of lifecycle policies, all in the repository's stream. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { LifecycleOutcome } from "../kernel/registry-state.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** A new policy; it has not been evaluated yet. */
export type LifecyclePolicySet = Event<
  "LifecyclePolicySet",
  RepositoryRef & { readonly lifecyclePolicyText: string }
>;
export type LifecyclePolicyDeleted = Event<"LifecyclePolicyDeleted", RepositoryRef>;
/** A preview, complete: the policy it evaluated and what it would do, oldest image first. */
export type LifecyclePolicyPreviewCompleted = Event<
  "LifecyclePolicyPreviewCompleted",
  RepositoryRef & {
    readonly lifecyclePolicyText: string;
    readonly results: ReadonlyArray<LifecycleOutcome>;
    readonly evaluatedAt: Timestamp;
  }
>;
/** An image (and all its tags) removed by the lifecycle rule of priority `rulePriority`. */
export type ImageExpired = Event<
  "ImageExpired",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly rulePriority: number;
    /** When it expired: its blobs are unreferenced from then on (garbage collection's grace). */
    readonly expiredAt: Timestamp;
  }
>;
/** An image moved to the archive storage class by the lifecycle rule of priority `rulePriority`. */
export type ImageTransitioned = Event<
  "ImageTransitioned",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly rulePriority: number;
    readonly targetStorageClass: "archive";
    readonly transitionedAt: Timestamp;
  }
>;
/** The policy was applied at `evaluatedAt` (ECR's lastEvaluatedAt), whether or not it expired anything. */
export type LifecyclePolicyEvaluated = Event<
  "LifecyclePolicyEvaluated",
  RepositoryRef & { readonly evaluatedAt: Timestamp }
>;

export type LifecycleEvent =
  | LifecyclePolicySet
  | LifecyclePolicyDeleted
  | LifecyclePolicyPreviewCompleted
  | ImageExpired
  | ImageTransitioned
  | LifecyclePolicyEvaluated;
