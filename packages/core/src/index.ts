/**
 * @berth/core — the pure registry: commands are decided against state folded from events.
 *
 *   decide(state, command) → Either<RegistryError, Event[]>     (decide/)
 *   evolve(state, event) → state, fold(events) → state            (evolve.ts)
 *   queries(state, …) → ECR responses                             (queries/)
 *   request codecs for every ECR operation                        (requests/)
 */
export * from "./commands.js";
export * from "./decide/decide.js";
export type { Decision } from "./decide/decision.js";
export {
  type ImageDeletionPlan,
  type ImageFailure,
  type ImageFailureCode,
  planImageDeletion,
} from "./decide/image.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./evolve.js";
export * from "./queries/context.js";
export * from "./queries/images.js";
export * from "./queries/layers.js";
export * from "./queries/oci.js";
export { DEFAULT_MAX_RESULTS } from "./queries/pagination.js";
export * from "./queries/registry.js";
export * from "./queries/repositories.js";
export * from "./requests/index.js";
export * from "./state.js";
export * from "./values/arn.js";
export * from "./values/manifest.js";
export * from "./values/primitives.js";
export { manifestDigest, sha256Hex, utf8Encode } from "./values/sha256.js";
export { isTagImmutable } from "./values/tag-mutability.js";
