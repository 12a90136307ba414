/** Requests of the image scanning operations, with the model's constraints. */
import type * as t from "io-ts";
import { boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import {
  imageIdentifier,
  maxResults,
  nextToken,
  registryId,
  repositoryName,
} from "../kernel/request-members.js";
import { imageScanningConfiguration } from "../repositories/repository-requests.js";
import { ScanFrequency, ScanningRepositoryFilterType, ScanType } from "./scan-values.js";

const enumOf = <K extends Record<string, unknown>>(codec: t.KeyofC<K>) =>
  declared(codec, { kind: "enum", values: Object.keys(codec.keys) });

const repositoryFilters = boundedList(
  structure(
    "ScanningRepositoryFilter",
    {
      filter: boundedString(
        { min: 1, max: 255, pattern: "^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$" },
        "ScanningRepositoryFilterValue",
      ),
      filterType: enumOf(ScanningRepositoryFilterType),
    },
    {},
  ),
  { min: 0, max: 100 },
  "ScanningRepositoryFilterList",
);
const rules = boundedList(
  structure("RegistryScanningRule", { scanFrequency: enumOf(ScanFrequency), repositoryFilters }, {}),
  { min: 0, max: 2 },
  "RegistryScanningRuleList",
);

export const PutImageScanningConfigurationRequest = structure(
  "PutImageScanningConfigurationRequest",
  { repositoryName, imageScanningConfiguration },
  { registryId },
);
export type PutImageScanningConfigurationRequest = t.TypeOf<typeof PutImageScanningConfigurationRequest>;

export const PutRegistryScanningConfigurationRequest = structure(
  "PutRegistryScanningConfigurationRequest",
  {},
  { scanType: enumOf(ScanType), rules },
);
export type PutRegistryScanningConfigurationRequest = t.TypeOf<
  typeof PutRegistryScanningConfigurationRequest
>;

export const GetRegistryScanningConfigurationRequest = structure(
  "GetRegistryScanningConfigurationRequest",
  {},
  {},
);

export const BatchGetRepositoryScanningConfigurationRequest = structure(
  "BatchGetRepositoryScanningConfigurationRequest",
  {
    repositoryNames: boundedList(
      repositoryName,
      { min: 1, max: 25 },
      "ScanningConfigurationRepositoryNameList",
    ),
  },
  {},
);

export const StartImageScanRequest = structure(
  "StartImageScanRequest",
  { repositoryName, imageId: imageIdentifier },
  { registryId },
);
export type StartImageScanRequest = t.TypeOf<typeof StartImageScanRequest>;

export const DescribeImageScanFindingsRequest = structure(
  "DescribeImageScanFindingsRequest",
  { repositoryName, imageId: imageIdentifier },
  { registryId, nextToken, maxResults },
);
export type DescribeImageScanFindingsRequest = t.TypeOf<typeof DescribeImageScanFindingsRequest>;

export const scanningRequests = {
  PutImageScanningConfiguration: PutImageScanningConfigurationRequest,
  PutRegistryScanningConfiguration: PutRegistryScanningConfigurationRequest,
  GetRegistryScanningConfiguration: GetRegistryScanningConfigurationRequest,
  BatchGetRepositoryScanningConfiguration: BatchGetRepositoryScanningConfigurationRequest,
  StartImageScan: StartImageScanRequest,
  DescribeImageScanFindings: DescribeImageScanFindingsRequest,
} as const;
