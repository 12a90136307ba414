/**
 * Every ECR operation Berth serves, mapped to the codec of its request (composed from the slices'
 * request tables), and the one decoding entry point: the HTTP edge finds the operation named by
 * `X-Amz-Target` here.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type * as t from "io-ts";
import { accountSettingsRequests } from "./account-settings/account-settings-requests.js";
import { archiveRequests } from "./archive/archive-requests.js";
import { creationTemplateRequests } from "./creation-templates/template-requests.js";
import { imageRequests } from "./images/image-requests.js";
import type { InvalidParameterException } from "./kernel/registry-errors.js";
import { requestRefusal } from "./kernel/request-refusal.js";
import { layerUploadRequests } from "./layer-uploads/layer-upload-requests.js";
import { lifecycleRequests } from "./lifecycle/lifecycle-requests.js";
import { policyRequests } from "./policies/policy-requests.js";
import { resourceTagRequests } from "./policies/resource-tag-requests.js";
import { pullThroughCacheRequests } from "./pull-through-cache/cache-rule-requests.js";
import { pullTimeExclusionRequests } from "./pull-time-exclusions/exclusion-requests.js";
import { registrySettingsRequests } from "./registry-settings/registry-settings-requests.js";
import { replicationRequests } from "./replication/replication-requests.js";
import { repositoryRequests } from "./repositories/repository-requests.js";
import { scanningRequests } from "./scanning/scanning-requests.js";
import { signingRequests } from "./signing/signing-requests.js";

export const EcrRequests = {
  ...repositoryRequests,
  ...imageRequests,
  ...layerUploadRequests,
  ...policyRequests,
  ...resourceTagRequests,
  ...registrySettingsRequests,
  ...lifecycleRequests,
  ...scanningRequests,
  ...accountSettingsRequests,
  ...archiveRequests,
  ...signingRequests,
  ...pullTimeExclusionRequests,
  ...pullThroughCacheRequests,
  ...creationTemplateRequests,
  ...replicationRequests,
} as const;

export type EcrOperation = keyof typeof EcrRequests;

/**
 * A value decoded from JSON: JSON has no `undefined`, so an optional member is absent or holds a
 * value, never `undefined` (io-ts types optional members as `T | undefined`; this says what is true).
 */
export type FromJson<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends ReadonlyArray<infer Item>
    ? ReadonlyArray<FromJson<Item>>
    : { [Key in keyof T]: FromJson<Exclude<T[Key], undefined>> };

export type EcrRequest<Operation extends EcrOperation> = FromJson<t.TypeOf<(typeof EcrRequests)[Operation]>>;

export const isEcrOperation = (name: string): name is EcrOperation => Object.hasOwn(EcrRequests, name);

/**
 * The members an operation's request declares, from its codec: the edge parses only these and drops
 * any other member unread, as AWS ignores members it does not know.
 */
export const requestMemberNames = (operation: EcrOperation): ReadonlyArray<string> => {
  const constraints = EcrRequests[operation].constraints;
  return constraints.kind === "structure" ? Object.keys(constraints.members) : [];
};

/** Decodes an ECR request body (already parsed JSON) into the typed request of its operation. */
export const decodeRequest = <Operation extends EcrOperation>(
  operation: Operation,
  body: unknown,
): E.Either<InvalidParameterException, EcrRequest<Operation>> =>
  pipe(
    EcrRequests[operation].decode(body) as E.Either<t.Errors, EcrRequest<Operation>>,
    E.mapLeft(requestRefusal),
  );
