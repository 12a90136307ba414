/** What DescribeImages and DescribeImageScanFindings say of an image's last scan. */
import type { Timestamp } from "../values/primitives.js";
import type { ImageScan, SeverityCounts } from "./scan-values.js";

export interface ImageScanStatus {
  readonly status: ImageScan["status"];
  readonly description?: string;
}

export interface ImageScanFindingsSummary {
  readonly imageScanCompletedAt: Timestamp;
  readonly vulnerabilitySourceUpdatedAt?: Timestamp;
  readonly findingSeverityCounts: SeverityCounts;
}

export const imageScanStatus = (scan: ImageScan): ImageScanStatus => {
  switch (scan.status) {
    case "IN_PROGRESS":
      return { status: "IN_PROGRESS" };
    case "COMPLETE":
      return { status: "COMPLETE", description: "The scan was completed successfully." };
    case "FAILED":
      return { status: "FAILED", description: scan.reason };
  }
};

export const imageScanFindingsSummary = (
  scan: Extract<ImageScan, { readonly status: "COMPLETE" }>,
): ImageScanFindingsSummary => ({
  imageScanCompletedAt: scan.completedAt,
  ...(scan.vulnerabilitySourceUpdatedAt === undefined
    ? {}
    : { vulnerabilitySourceUpdatedAt: scan.vulnerabilitySourceUpdatedAt }),
  findingSeverityCounts: scan.severityCounts,
});

/** The scan members of an ImageDetail: none for an image never scanned. */
export const imageScanFields = (image: {
  readonly scan?: ImageScan | undefined;
}): { imageScanStatus?: ImageScanStatus; imageScanFindingsSummary?: ImageScanFindingsSummary } => {
  const { scan } = image;
  if (scan === undefined) return {};
  return scan.status === "COMPLETE"
    ? { imageScanStatus: imageScanStatus(scan), imageScanFindingsSummary: imageScanFindingsSummary(scan) }
    : { imageScanStatus: imageScanStatus(scan) };
};
