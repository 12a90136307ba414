/**
 * The values of image scanning: the registry's scanning configuration, the findings a scanner
 * reports (shaped as ECR answers them), and the scan an image carries in the state.
 */
import * as t from "io-ts";
import type { Timestamp } from "../values/primitives.js";

export const ScanType = t.keyof({ BASIC: null, ENHANCED: null }, "ScanType");
export type ScanType = t.TypeOf<typeof ScanType>;

export const ScanFrequency = t.keyof(
  { SCAN_ON_PUSH: null, CONTINUOUS_SCAN: null, MANUAL: null },
  "ScanFrequency",
);
export type ScanFrequency = t.TypeOf<typeof ScanFrequency>;

export const ScanningRepositoryFilterType = t.keyof({ WILDCARD: null }, "ScanningRepositoryFilterType");

export const FindingSeverity = t.keyof(
  { INFORMATIONAL: null, LOW: null, MEDIUM: null, HIGH: null, CRITICAL: null, UNDEFINED: null },
  "FindingSeverity",
);
export type FindingSeverity = t.TypeOf<typeof FindingSeverity>;

export interface ScanningRepositoryFilter {
  readonly filter: string;
  readonly filterType: "WILDCARD";
}

export interface RegistryScanningRule {
  readonly scanFrequency: ScanFrequency;
  readonly repositoryFilters: ReadonlyArray<ScanningRepositoryFilter>;
}

export interface RegistryScanningConfiguration {
  readonly scanType: ScanType;
  readonly rules: ReadonlyArray<RegistryScanningRule>;
}

/** ECR's default: basic scanning, no registry rules (each repository's scanOnPush decides). */
export const DEFAULT_REGISTRY_SCANNING: RegistryScanningConfiguration = { scanType: "BASIC", rules: [] };

/** One finding, as ECR's ImageScanFinding: what a Scanner reports and DescribeImageScanFindings answers. */
export const ScanFinding = t.exact(
  t.partial(
    {
      name: t.string,
      description: t.string,
      uri: t.string,
      severity: FindingSeverity,
      attributes: t.readonlyArray(
        t.exact(t.intersection([t.type({ key: t.string }), t.partial({ value: t.string })])),
      ),
    },
    "ImageScanFinding",
  ),
);
export type ScanFinding = t.TypeOf<typeof ScanFinding>;

export type SeverityCounts = Readonly<Partial<Record<FindingSeverity, number>>>;

export const severityCountsOf = (findings: ReadonlyArray<ScanFinding>): SeverityCounts => {
  const counts: Partial<Record<FindingSeverity, number>> = {};
  for (const finding of findings) {
    const severity = finding.severity ?? "UNDEFINED";
    counts[severity] = (counts[severity] ?? 0) + 1;
  }
  return counts;
};

/**
 * The last scan of an image. Replaced whole by each scan event (never changed in place), so a
 * copy of the image may share it.
 */
export type ImageScan =
  | { readonly status: "IN_PROGRESS"; readonly startedAt: Timestamp }
  | {
      readonly status: "COMPLETE";
      readonly startedAt: Timestamp;
      readonly completedAt: Timestamp;
      readonly vulnerabilitySourceUpdatedAt: Timestamp | undefined;
      readonly findings: ReadonlyArray<ScanFinding>;
      readonly severityCounts: SeverityCounts;
    }
  | {
      readonly status: "FAILED";
      readonly startedAt: Timestamp;
      readonly failedAt: Timestamp;
      readonly reason: string;
    };

/** ECR's basic scanning quota: one scan per image per 24 hours, scan on push included. */
export const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000;

export const SCAN_QUOTA_MESSAGE = "The scan quota per image has been exceeded. Wait and try again.";
