/**
 * @berth/core — the pure registry: commands are decided against state folded from events.
 *
 * One folder per ECR capability (a slice), each with its commands, events, decide functions, its
 * steps of `evolve`, its queries and its request codecs:
 *   repositories/        CreateRepository, DeleteRepository, PutImageTagMutability, DescribeRepositories
 *   images/              PutImage, BatchDeleteImage, BatchGetImage, DescribeImages, ListImages, OCI tags
 *                        and referrers
 *   layer-uploads/       layer upload sessions and parts, CompleteLayerUpload, mounts, layer checks
 *   policies/            repository and registry policies, resource tags
 *   registry-settings/   lenient mode, DescribeRegistry, GetAuthorizationToken's request
 *   garbage-collection/  the blob index (links, references, idle time) and blob collection
 * Shared: kernel/ (state, errors, decisions, the slice shape, pagination, request-codec machinery)
 * and values/ (branded values, manifests, sha256).
 *
 * This root composes the slices: the `BerthCommand` and `BerthEvent` unions, `decide`, `evolve`
 * and `fold`, and the `EcrRequests` table. A new capability (lifecycle policies, image scanning,
 * replication, pull-through cache, creation templates) is a new folder beside the others that
 * exports its `Slice` and request table, plus one line in each of `berth-command.ts`,
 * `berth-event.ts`, `decide.ts`, `evolve.ts` and `ecr-requests.ts`; the compiler names any table
 * that misses one of its types.
 */
export * from "./berth-command.js";
export * from "./berth-event.js";
export * from "./decide.js";
export * from "./ecr-requests.js";
export * from "./evolve.js";
export * from "./garbage-collection/blob-collection.js";
export * from "./garbage-collection/gc-commands.js";
export * from "./garbage-collection/gc-events.js";
export * from "./images/image-commands.js";
export { type ImageDeletionPlan, planImageDeletion } from "./images/image-deletion.js";
export * from "./images/image-events.js";
export type { ImageFailure, ImageFailureCode, ImageIdentifier } from "./images/image-identifier.js";
export * from "./images/image-queries.js";
export * from "./images/image-requests.js";
export * from "./images/oci-image-queries.js";
export { DEFAULT_MAX_RESULTS } from "./kernel/pagination.js";
export type { ProtocolRules } from "./kernel/protocol-rules.js";
export * from "./kernel/query-context.js";
export * from "./kernel/registry-errors.js";
export * from "./kernel/registry-state.js";
export { singleLayerDigest } from "./layer-uploads/decide-complete-layer-upload.js";
export * from "./layer-uploads/layer-queries.js";
export * from "./layer-uploads/layer-upload-commands.js";
export * from "./layer-uploads/layer-upload-events.js";
export * from "./layer-uploads/layer-upload-requests.js";
export * from "./layer-uploads/upload-expiry.js";
export * from "./policies/policy-commands.js";
export * from "./policies/policy-events.js";
export * from "./policies/policy-queries.js";
export * from "./policies/policy-requests.js";
export * from "./policies/resource-tag-requests.js";
export * from "./registry-settings/registry-queries.js";
export * from "./registry-settings/registry-settings-commands.js";
export * from "./registry-settings/registry-settings-events.js";
export * from "./registry-settings/registry-settings-requests.js";
export * from "./repositories/repository-commands.js";
export * from "./repositories/repository-events.js";
export * from "./repositories/repository-queries.js";
export * from "./repositories/repository-requests.js";
export * from "./values/arn.js";
export * from "./values/manifest.js";
export * from "./values/primitives.js";
export { manifestDigest, sha256Hex, utf8Encode } from "./values/sha256.js";
export { isTagImmutable } from "./values/tag-mutability.js";
