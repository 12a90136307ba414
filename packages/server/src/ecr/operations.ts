/**
 * The ECR operations: each decodes nothing (the request is already decoded by its codec), calls one
 * registry method, and shapes the answer as ECR does on the wire. No business rule lives here.
 */

import {
  accountOf,
  type EcrOperation,
  type EcrRequest,
  type ImageDetail,
  type ImageScanFindingsPage,
  type RegistryError,
  type RegistryId,
  regionOf,
  registryKey,
} from "@berth/core";

import type { Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import type { TokenIssuer } from "../auth/authorization-token.js";
import { layerDownloadUrl } from "../downloads/layer-download-url.js";
import type { DownloadUrlSigner } from "../downloads/signed-urls.js";
import { ruleAnswerOnWire, rulesPageOnWire } from "./pull-through-wire.js";
import { backfillOnWire, backfillsOnWire } from "./replication-backfill-wire.js";
import { imageDetailScanOnWire, scanFindingsOnWire } from "./scan-wire.js";
import { withEpochSeconds } from "./wire.js";

export interface CallContext {
  readonly registry: Registry;
  /**
   * The registry the call acts in: the caller's account in the region of its credential scope, as a
   * registry key (`registryKey` in @berth/core). A request's own `registryId` names the same account.
   */
  readonly registryId: RegistryId;
  /** The caller's principal, known with credentials (local mode has none). */
  readonly principalArn?: string;
  readonly tokens: TokenIssuer;
  readonly downloads: DownloadUrlSigner;
  /** This server as clients reach it, e.g. `http://localhost:5000`. */
  readonly baseUrl: string;
  readonly now: () => number;
  /** `aws`: proxyEndpoint names ECR's host for the account (the registry's repository URIs do too). */
  readonly repositoryUriStyle: "host" | "aws";
}

type Answer = Promise<E.Either<RegistryError, unknown>>;
type Operation<Op extends EcrOperation> = (request: EcrRequest<Op>, context: CallContext) => Answer;

const withAccount = <R extends { readonly registryId?: RegistryId | undefined }>(
  request: R,
  context: CallContext,
) => ({
  ...request,
  // A named registry is that account in the caller's region (another account only in local mode).
  registryId:
    request.registryId === undefined
      ? context.registryId
      : registryKey(
          request.registryId,
          regionOf(context.registryId, context.registry.context.region),
          context.registry.context.region,
        ),
});

const repositoryOnWire = <R extends { readonly createdAt: number }>(repository: R) =>
  withEpochSeconds(repository, ["createdAt"]);

/** A template's timestamps as ECR sends them. */
const templateOnWire = <T extends { readonly repositoryCreationTemplate: object }>(answer: T): T => ({
  ...answer,
  repositoryCreationTemplate: withEpochSeconds(answer.repositoryCreationTemplate as Record<string, unknown>, [
    "createdAt",
    "updatedAt",
  ]),
});

const mapRight =
  <A, B>(f: (a: A) => B) =>
  (either: E.Either<RegistryError, A>): E.Either<RegistryError, B> =>
    E.map(f)(either);

export const ecrOperations: { readonly [Op in EcrOperation]: Operation<Op> } = {
  CreateRepository: async (request, context) =>
    mapRight((r: { repository: { createdAt: number } }) => ({ repository: repositoryOnWire(r.repository) }))(
      await context.registry.createRepository(withAccount(request, context)),
    ),
  DeleteRepository: async (request, context) =>
    mapRight((r: { repository: { createdAt: number } }) => ({ repository: repositoryOnWire(r.repository) }))(
      await context.registry.deleteRepository(withAccount(request, context)),
    ),
  DescribeRepositories: async (request, context) =>
    mapRight((r: { repositories: ReadonlyArray<{ createdAt: number }>; nextToken?: string }) => ({
      ...r,
      repositories: r.repositories.map(repositoryOnWire),
    }))(await context.registry.describeRepositories(withAccount(request, context))),
  PutImageTagMutability: (request, context) =>
    context.registry.putImageTagMutability(withAccount(request, context)),
  PutImage: (request, context) => context.registry.putImage(withAccount(request, context)),
  BatchGetImage: (request, context) =>
    context.registry.batchGetImage({
      ...withAccount(request, context),
      ...(context.principalArn === undefined ? {} : { principalArn: context.principalArn }),
    }),
  BatchDeleteImage: (request, context) => context.registry.batchDeleteImage(withAccount(request, context)),
  DescribeImages: async (request, context) =>
    mapRight((r: { imageDetails: ReadonlyArray<ImageDetail>; nextToken?: string }) => ({
      ...r,
      imageDetails: r.imageDetails.map((d) =>
        imageDetailScanOnWire(
          withEpochSeconds(d, ["imagePushedAt", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt"]),
        ),
      ),
    }))(await context.registry.describeImages(withAccount(request, context))),
  ListImages: (request, context) => context.registry.listImages(withAccount(request, context)),
  InitiateLayerUpload: (request, context) =>
    context.registry.initiateLayerUpload(withAccount(request, context)),
  UploadLayerPart: (request, context) => {
    const { layerPartBlob, ...rest } = request;
    return context.registry.uploadLayerPart({
      ...withAccount(rest, context),
      layerPartBlob:
        typeof layerPartBlob === "string"
          ? Buffer.from(layerPartBlob, "base64")
          : (layerPartBlob as Uint8Array),
    });
  },
  CompleteLayerUpload: (request, context) =>
    context.registry.completeLayerUpload(withAccount(request, context)),
  BatchCheckLayerAvailability: (request, context) =>
    context.registry.batchCheckLayerAvailability(withAccount(request, context)),
  GetDownloadUrlForLayer: async (request, context) => {
    const ref = withAccount(request, context);
    const layer = await context.registry.getDownloadableLayer(ref);
    if (E.isLeft(layer)) return layer;
    const { digest } = layer.right;
    const downloadUrl = await layerDownloadUrl(context, { ...ref, digest });
    return E.right({ layerDigest: digest, downloadUrl });
  },
  SetRepositoryPolicy: (request, context) =>
    context.registry.setRepositoryPolicy(withAccount(request, context)),
  GetRepositoryPolicy: (request, context) =>
    context.registry.getRepositoryPolicy(withAccount(request, context)),
  DeleteRepositoryPolicy: (request, context) =>
    context.registry.deleteRepositoryPolicy(withAccount(request, context)),
  PutRegistryPolicy: (request, context) =>
    context.registry.putRegistryPolicy({ registryId: context.registryId, ...request }),
  GetRegistryPolicy: (_request, context) =>
    context.registry.getRegistryPolicy({ registryId: context.registryId }),
  DeleteRegistryPolicy: (_request, context) =>
    context.registry.deleteRegistryPolicy({ registryId: context.registryId }),
  TagResource: (request, context) => context.registry.tagResource(request),
  UntagResource: (request, context) => context.registry.untagResource(request),
  ListTagsForResource: (request, context) => context.registry.listTagsForResource(request),
  DescribeRegistry: (_request, context) =>
    context.registry.describeRegistry({ registryId: context.registryId }),
  PutLifecyclePolicy: (request, context) =>
    context.registry.putLifecyclePolicy(withAccount(request, context)),
  GetLifecyclePolicy: async (request, context) =>
    mapRight((r: { lastEvaluatedAt: number }) => withEpochSeconds(r, ["lastEvaluatedAt"]))(
      await context.registry.getLifecyclePolicy(withAccount(request, context)),
    ),
  DeleteLifecyclePolicy: async (request, context) =>
    mapRight((r: { lastEvaluatedAt: number }) => withEpochSeconds(r, ["lastEvaluatedAt"]))(
      await context.registry.deleteLifecyclePolicy(withAccount(request, context)),
    ),
  StartLifecyclePolicyPreview: (request, context) =>
    context.registry.startLifecyclePolicyPreview(withAccount(request, context)),
  GetLifecyclePolicyPreview: async (request, context) =>
    mapRight((r: { previewResults: ReadonlyArray<{ imagePushedAt: number }> }) => ({
      ...r,
      previewResults: r.previewResults.map((result) => withEpochSeconds(result, ["imagePushedAt"])),
    }))(await context.registry.getLifecyclePolicyPreview(withAccount(request, context))),
  PutImageScanningConfiguration: (request, context) =>
    context.registry.putImageScanningConfiguration(withAccount(request, context)),
  PutRegistryScanningConfiguration: (request, context) =>
    context.registry.putRegistryScanningConfiguration({ ...request, registryId: context.registryId }),
  GetRegistryScanningConfiguration: (_request, context) =>
    context.registry.getRegistryScanningConfiguration({ registryId: context.registryId }),
  BatchGetRepositoryScanningConfiguration: (request, context) =>
    context.registry.batchGetRepositoryScanningConfiguration({ ...request, registryId: context.registryId }),
  StartImageScan: (request, context) => context.registry.startImageScan(withAccount(request, context)),
  DescribeImageScanFindings: async (request, context) =>
    mapRight(scanFindingsOnWire<ImageScanFindingsPage>)(
      await context.registry.describeImageScanFindings(withAccount(request, context)),
    ),
  GetAccountSetting: (request, context) =>
    context.registry.getAccountSetting({ ...request, registryId: context.registryId }),
  PutAccountSetting: (request, context) =>
    context.registry.putAccountSetting({ ...request, registryId: context.registryId }),
  UpdateImageStorageClass: (request, context) =>
    context.registry.updateImageStorageClass(withAccount(request, context)),
  PutSigningConfiguration: (request, context) =>
    context.registry.putSigningConfiguration({ ...request, registryId: context.registryId }),
  GetSigningConfiguration: (_request, context) =>
    context.registry.getSigningConfiguration({ registryId: context.registryId }),
  DeleteSigningConfiguration: (_request, context) =>
    context.registry.deleteSigningConfiguration({ registryId: context.registryId }),
  DescribeImageSigningStatus: (request, context) =>
    context.registry.describeImageSigningStatus(withAccount(request, context)),
  ListImageReferrers: (request, context) =>
    context.registry.listImageReferrers(withAccount(request, context)),
  RegisterPullTimeUpdateExclusion: async (request, context) =>
    mapRight((r: { principalArn: string; createdAt: number }) => withEpochSeconds(r, ["createdAt"]))(
      await context.registry.registerPullTimeUpdateExclusion({ ...request, registryId: context.registryId }),
    ),
  DeregisterPullTimeUpdateExclusion: (request, context) =>
    context.registry.deregisterPullTimeUpdateExclusion({ ...request, registryId: context.registryId }),
  ListPullTimeUpdateExclusions: (request, context) =>
    context.registry.listPullTimeUpdateExclusions({ ...request, registryId: context.registryId }),
  CreatePullThroughCacheRule: async (request, context) =>
    ruleAnswerOnWire("CreatePullThroughCacheRule")(
      await context.registry.createPullThroughCacheRule(withAccount(request, context)),
    ),
  DeletePullThroughCacheRule: async (request, context) =>
    ruleAnswerOnWire("DeletePullThroughCacheRule")(
      await context.registry.deletePullThroughCacheRule(withAccount(request, context)),
    ),
  DescribePullThroughCacheRules: async (request, context) =>
    rulesPageOnWire(await context.registry.describePullThroughCacheRules(withAccount(request, context))),
  UpdatePullThroughCacheRule: async (request, context) =>
    ruleAnswerOnWire("UpdatePullThroughCacheRule")(
      await context.registry.updatePullThroughCacheRule(withAccount(request, context)),
    ),
  ValidatePullThroughCacheRule: async (request, context) =>
    ruleAnswerOnWire("ValidatePullThroughCacheRule")(
      await context.registry.validatePullThroughCacheRule(withAccount(request, context)),
    ),
  CreateRepositoryCreationTemplate: async (request, context) =>
    mapRight(templateOnWire)(
      await context.registry.createRepositoryCreationTemplate({ ...request, registryId: context.registryId }),
    ),
  UpdateRepositoryCreationTemplate: async (request, context) =>
    mapRight(templateOnWire)(
      await context.registry.updateRepositoryCreationTemplate({ ...request, registryId: context.registryId }),
    ),
  DeleteRepositoryCreationTemplate: async (request, context) =>
    mapRight(templateOnWire)(
      await context.registry.deleteRepositoryCreationTemplate({ ...request, registryId: context.registryId }),
    ),
  DescribeRepositoryCreationTemplates: async (request, context) =>
    mapRight((r: { repositoryCreationTemplates: ReadonlyArray<object> }) => ({
      ...r,
      repositoryCreationTemplates: r.repositoryCreationTemplates.map((template) =>
        withEpochSeconds(template as Record<string, unknown>, ["createdAt", "updatedAt"]),
      ),
    }))(
      await context.registry.describeRepositoryCreationTemplates({
        ...request,
        registryId: context.registryId,
      }),
    ),
  PutReplicationConfiguration: (request, context) =>
    context.registry.putReplicationConfiguration({ ...request, registryId: context.registryId }),
  DescribeImageReplicationStatus: (request, context) =>
    context.registry.describeImageReplicationStatus(withAccount(request, context)),
  StartReplicationBackfill: async (request, context) => {
    const input = withAccount(request, context);
    return backfillOnWire(input.registryId)(await context.registry.startReplicationBackfill(input));
  },
  StopReplicationBackfill: async (request, context) => {
    const input = withAccount(request, context);
    return backfillOnWire(input.registryId)(await context.registry.stopReplicationBackfill(input));
  },
  ListReplicationBackfills: async (request, context) => {
    const input = withAccount(request, context);
    return backfillsOnWire(input.registryId)(await context.registry.listReplicationBackfills(input));
  },
  DescribeReplicationBackfillResults: async (request, context) => {
    const input = withAccount(request, context);
    return backfillOnWire(input.registryId)(await context.registry.describeReplicationBackfillResults(input));
  },
  GetAuthorizationToken: async (request, context) => {
    const defaultRegion = context.registry.context.region;
    const region = regionOf(context.registryId, defaultRegion);
    const accounts = request.registryIds ?? [accountOf(context.registryId)];
    const now = context.now();
    return E.right({
      authorizationData: accounts.map((accountId) => {
        // The token names the registry it serves: the account in the caller's region.
        const registryId = registryKey(accountId, region, defaultRegion);
        const token = context.tokens.issue(registryId, now);
        return {
          authorizationToken: token.authorizationToken,
          expiresAt: token.expiresAt / 1000,
          proxyEndpoint:
            context.repositoryUriStyle === "aws"
              ? `https://${context.registry.context.registryHost(registryId)}`
              : context.baseUrl,
        };
      }),
    });
  },
};
