/**
 * What a /v2 handler is given: the exchange, the registry, the account the caller authenticated
 * as and, on repository routes, the repository name already checked. Creating a missing repository
 * on push lives here because an upload and a manifest PUT both begin with it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Digest, type RegistryId, type RepositoryName } from "@berth/core";
import type { Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import type { Logger } from "pino";
import type { InflightBudget } from "../http/inflight-budget.js";
import { ociError } from "./oci-errors.js";
import type { OciRoute } from "./oci-paths.js";
import { sendError } from "./oci-responses.js";

export interface OciCall {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly registry: Registry;
  /** The account the caller authenticated as (the default registry in local mode). */
  readonly registryId: RegistryId;
  /**
   * Assume a ROOT CREATE_ON_PUSH template with defaults: a push to a missing repository that no
   * template of the registry covers creates it (otherwise NAME_UNKNOWN, as in ECR).
   */
  readonly createOnPush: boolean;
  /** Blob GETs answer 307 to a presigned URL when the blob store makes them (--blob-redirect). */
  readonly blobRedirect: boolean;
  /** The bytes of request bodies held at once, shared with the ECR API (manifests reserve). */
  readonly budget: InflightBudget;
  readonly logger: Logger;
}

export type RepositoryRoute = Exclude<OciRoute, { kind: "base" } | { kind: "catalog" }>;

export interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

/** A call on a route under `/v2/<name>/`, whose name is a valid repository name. */
export interface RepositoryScope extends OciCall {
  readonly ref: RepositoryRef;
}

export interface RepositoryCall<K extends RepositoryRoute["kind"]> extends RepositoryScope {
  readonly route: Extract<OciRoute, { kind: K }>;
}

/**
 * Before a push into a missing repository: the registry's CREATE_ON_PUSH template that applies
 * creates it, shaped by the template (the core decides which and how). `createOnPush` assumes a
 * ROOT CREATE_ON_PUSH template with defaults where none applies. Without a template the repository
 * stays missing and the push is answered NAME_UNKNOWN, as in ECR.
 */
export const ensureRepository = async ({ registry, createOnPush, logger, ref }: RepositoryScope) => {
  const created = await registry.createRepositoryFromTemplate({
    ...ref,
    purpose: "CREATE_ON_PUSH",
    implicitRootTemplate: createOnPush,
  });
  if (E.isLeft(created) && created.left._tag !== "RepositoryNotFoundException") {
    logger.warn({ repositoryName: ref.repositoryName, error: created.left }, "create on push failed");
  }
};

/** The digest a path names, or undefined once DIGEST_INVALID has been answered. */
export const requireDigest = ({ request, response }: OciCall, value: string): Digest | undefined => {
  if (Digest.is(value)) return value;
  sendError(response, ociError(400, "DIGEST_INVALID", `Invalid digest '${value}'`), request);
  return undefined;
};
