/**
 * GetRegistryScanningConfiguration, BatchGetRepositoryScanningConfiguration,
 * DescribeImageScanFindings, and the scans in progress the engine's worker runs.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { ImageIdentifier } from "../images/image-identifier.js";
import { requireImage } from "../images/image-queries.js";
import { invalidToken, type PageRequest, pageSize } from "../kernel/pagination.js";
import type { QueryContext } from "../kernel/query-context.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import { repositoryArn } from "../values/arn.js";
import type { Digest, ImageTag, RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";
import {
  type ImageScanFindingsSummary,
  type ImageScanStatus,
  imageScanFindingsSummary,
  imageScanStatus,
} from "./image-scan-summary.js";
import type { RegistryScanningConfiguration, ScanFinding, ScanningRepositoryFilter } from "./scan-values.js";
import { effectiveScanning, registryScanning } from "./scanning-rules.js";

export const getRegistryScanningConfiguration = (
  state: RegistryState,
  query: { readonly registryId: RegistryId },
): { registryId: RegistryId; scanningConfiguration: RegistryScanningConfiguration } => ({
  registryId: query.registryId,
  scanningConfiguration: registryScanning(state, query.registryId),
});

export interface RepositoryScanningConfiguration {
  readonly repositoryArn: string;
  readonly repositoryName: RepositoryName;
  readonly scanOnPush: boolean;
  readonly scanFrequency: string;
  readonly appliedScanFilters: ReadonlyArray<ScanningRepositoryFilter>;
}

export interface RepositoryScanningConfigurationFailure {
  readonly repositoryName: RepositoryName;
  readonly failureCode: "REPOSITORY_NOT_FOUND";
  readonly failureReason: string;
}

/** The scanning each repository gets; a repository that does not exist is a failure, not an error. */
export const batchGetRepositoryScanningConfiguration = (
  state: RegistryState,
  context: QueryContext,
  query: { readonly registryId: RegistryId; readonly repositoryNames: ReadonlyArray<RepositoryName> },
): {
  scanningConfigurations: ReadonlyArray<RepositoryScanningConfiguration>;
  failures: ReadonlyArray<RepositoryScanningConfigurationFailure>;
} => {
  const configuration = registryScanning(state, query.registryId);
  const scanningConfigurations: RepositoryScanningConfiguration[] = [];
  const failures: RepositoryScanningConfigurationFailure[] = [];
  for (const name of new Set(query.repositoryNames)) {
    const repository = findRepository(state, query.registryId, name);
    if (repository === undefined) {
      failures.push({
        repositoryName: name,
        failureCode: "REPOSITORY_NOT_FOUND",
        failureReason: `The repository with name '${name}' does not exist in the registry with id '${query.registryId}'`,
      });
      continue;
    }
    scanningConfigurations.push({
      repositoryArn: repositoryArn(context.region, query.registryId, name),
      repositoryName: name,
      ...effectiveScanning(configuration, repository),
    });
  }
  return { scanningConfigurations, failures };
};

export interface DescribeImageScanFindingsQuery extends PageRequest {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageId: ImageIdentifier;
}

export interface ImageScanFindingsPage {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageId: { readonly imageDigest: Digest; readonly imageTag?: ImageTag };
  readonly imageScanStatus: ImageScanStatus;
  readonly imageScanFindings?: ImageScanFindingsSummary & { readonly findings: ReadonlyArray<ScanFinding> };
  readonly nextToken?: string;
}

/** Tokens name the scan they page through, so a token from an earlier scan is refused. */
const FINDINGS_TOKEN = /^scan1\.([0-9]{1,15})\.([0-9]{1,15})$/;
const encodeFindingsToken = (startedAt: Timestamp, offset: number) => `scan1.${startedAt}.${offset}`;

/** The last scan of an image, its findings a page at a time; ScanNotFoundException if never scanned. */
export const describeImageScanFindings = (
  state: RegistryState,
  query: DescribeImageScanFindingsQuery,
): E.Either<RegistryError, ImageScanFindingsPage> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) => requireImage(repository, query.imageId)),
    E.chain((image): E.Either<RegistryError, ImageScanFindingsPage> => {
      const { scan } = image;
      if (scan === undefined) {
        const id = `{imageDigest:'${query.imageId.imageDigest ?? "null"}', imageTag:'${query.imageId.imageTag ?? "null"}'}`;
        return E.left(RegistryErrors.scanNotFound(id, query.repositoryName, query.registryId));
      }
      const answer = {
        registryId: query.registryId,
        repositoryName: query.repositoryName,
        imageId: {
          imageDigest: image.digest,
          ...(query.imageId.imageTag === undefined ? {} : { imageTag: query.imageId.imageTag as ImageTag }),
        },
        imageScanStatus: imageScanStatus(scan),
      };
      if (scan.status !== "COMPLETE") return E.right(answer);
      let offset = 0;
      if (query.nextToken !== undefined) {
        const match = FINDINGS_TOKEN.exec(query.nextToken);
        if (match === null || Number(match[1]) !== scan.startedAt) return E.left(invalidToken());
        offset = Number(match[2]);
      }
      const end = offset + pageSize(query);
      const findings = scan.findings.slice(offset, end);
      return E.right({
        ...answer,
        imageScanFindings: { ...imageScanFindingsSummary(scan), findings },
        ...(end < scan.findings.length ? { nextToken: encodeFindingsToken(scan.startedAt, end) } : {}),
      });
    }),
  );

export interface ScanInProgress {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly startedAt: Timestamp;
}

/** Every scan in progress (the worker's catch-up after a start): a walk over every image. */
export const scansInProgress = (state: RegistryState): ReadonlyArray<ScanInProgress> => {
  const scans: ScanInProgress[] = [];
  for (const repository of state.repositories.values()) {
    for (const image of repository.images.values()) {
      if (image.scan?.status === "IN_PROGRESS") {
        scans.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageDigest: image.digest,
          startedAt: image.scan.startedAt,
        });
      }
    }
  }
  return scans;
};

/** The scan in progress still waiting for this outcome, if any, and the image it scans. */
export const scanToRun = (state: RegistryState, scan: ScanInProgress) => {
  const image = findRepository(state, scan.registryId, scan.repositoryName)?.images.get(scan.imageDigest);
  return image?.scan?.status === "IN_PROGRESS" && image.scan.startedAt === scan.startedAt ? image : undefined;
};
