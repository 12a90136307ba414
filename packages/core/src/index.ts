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
 *   lifecycle/           lifecycle policies: the rule language, its evaluation, previews, application
 *   scanning/            image scanning configuration, scans (on push or started), their findings
 *   account-settings/    GetAccountSetting, PutAccountSetting
 *   archive/             pull times (recorded at most once a day), UpdateImageStorageClass
 *   signing/             signing configuration, DescribeImageSigningStatus, ListImageReferrers
 *   pull-time-exclusions/ principals whose pulls leave lastRecordedPullTime alone
 *   pull-through-cache/   rules caching an upstream registry, and which rule a pull of a missing image uses
 *   creation-templates/  repository creation templates, and the repositories Berth creates from them
 *   replication/         replication configuration, image replication rounds and their statuses
 *   garbage-collection/  the blob index (links, references, idle time) and blob collection
 * Shared: kernel/ (state, errors, decisions, the slice shape, pagination, request-codec machinery)
 * and values/ (branded values, manifests, sha256).
 *
 * This root composes the slices: the `BerthCommand` and `BerthEvent` unions, `decide`, `evolve`
 * and `fold`, and the `EcrRequests` table. A new capability (lifecycle policies, image scanning,
 * replication, pull-through cache) is a new folder beside the others that
 * exports its `Slice` and request table, plus one line in each of `berth-command.ts`,
 * `berth-event.ts`, `decide.ts`, `evolve.ts` and `ecr-requests.ts`; the compiler names any table
 * that misses one of its types.
 */

export * from "./account-settings/account-setting-values.js";
export * from "./account-settings/account-settings-commands.js";
export * from "./account-settings/account-settings-events.js";
export * from "./account-settings/account-settings-queries.js";
export * from "./account-settings/account-settings-requests.js";
export * from "./archive/archive-commands.js";
export * from "./archive/archive-events.js";
export * from "./archive/archive-requests.js";
export { type StorageClassUpdate, storageClassUpdateOf } from "./archive/decide-archive.js";
export { imageStatusOf, isPullable } from "./archive/image-status.js";
export * from "./archive/pull-recording.js";
export * from "./berth-command.js";
export * from "./berth-event.js";
export * from "./creation-templates/template-commands.js";
export * from "./creation-templates/template-events.js";
export * from "./creation-templates/template-matching.js";
export * from "./creation-templates/template-queries.js";
export * from "./creation-templates/template-requests.js";
export * from "./creation-templates/template-values.js";
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
export { hasTag, imageTags, tagCount } from "./images/image-tags.js";
export * from "./images/oci-image-queries.js";
export { base64DecodedLength } from "./kernel/base64-length.js";
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
export { findLayer, repositoryLayers } from "./layer-uploads/repository-layers.js";
export * from "./layer-uploads/upload-expiry.js";
export * from "./lifecycle/lifecycle-commands.js";
export { evaluateLifecyclePolicy } from "./lifecycle/lifecycle-evaluation.js";
export * from "./lifecycle/lifecycle-events.js";
export * from "./lifecycle/lifecycle-policy.js";
export { lifecyclePolicyRefusal, parseLifecyclePolicy } from "./lifecycle/lifecycle-policy-validation.js";
export * from "./lifecycle/lifecycle-queries.js";
export * from "./lifecycle/lifecycle-requests.js";

export * from "./policies/policy-commands.js";
export * from "./policies/policy-events.js";
export * from "./policies/policy-queries.js";
export * from "./policies/policy-requests.js";
export * from "./policies/resource-tag-requests.js";
export * from "./pull-through-cache/cache-rule-commands.js";
export * from "./pull-through-cache/cache-rule-decider.js";
export * from "./pull-through-cache/cache-rule-events.js";
export * from "./pull-through-cache/cache-rule-queries.js";
export * from "./pull-through-cache/cache-rule-requests.js";
export * from "./pull-through-cache/cache-rule-values.js";
export * from "./pull-time-exclusions/exclusion-commands.js";
export * from "./pull-time-exclusions/exclusion-events.js";
export * from "./pull-time-exclusions/exclusion-queries.js";
export * from "./pull-time-exclusions/exclusion-requests.js";
export * from "./registry-settings/registry-queries.js";
export * from "./registry-settings/registry-settings-commands.js";
export * from "./registry-settings/registry-settings-events.js";
export * from "./registry-settings/registry-settings-requests.js";
export * from "./replication/decide-replication.js";
export * from "./replication/replication-backfill-messages.js";
export * from "./replication/replication-backfill-queries.js";
export * from "./replication/replication-commands.js";
export * from "./replication/replication-events.js";
export * from "./replication/replication-permission.js";
export * from "./replication/replication-queries.js";
export * from "./replication/replication-requests.js";
export * from "./replication/replication-values.js";
export * from "./repositories/repository-commands.js";
export * from "./repositories/repository-events.js";
export * from "./repositories/repository-queries.js";
export * from "./repositories/repository-requests.js";
export * from "./scanning/image-scan-summary.js";
export * from "./scanning/scan-values.js";
export * from "./scanning/scanning-commands.js";
export * from "./scanning/scanning-events.js";
export * from "./scanning/scanning-queries.js";
export * from "./scanning/scanning-requests.js";
export { effectiveScanning, scanQuotaExceeded, wildcardMatches } from "./scanning/scanning-rules.js";
export * from "./signing/signing-commands.js";
export * from "./signing/signing-events.js";
export * from "./signing/signing-queries.js";
export * from "./signing/signing-requests.js";
export * from "./snapshots/snapshot-values.js";
export * from "./snapshots/state-snapshot.js";
export * from "./values/arn.js";
export * from "./values/manifest.js";
export * from "./values/primitives.js";
export * from "./values/registry-key.js";
export { manifestDigest, sha256Hex, utf8Encode } from "./values/sha256.js";
export { isTagImmutable } from "./values/tag-mutability.js";
