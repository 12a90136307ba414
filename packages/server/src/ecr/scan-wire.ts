/** The timestamps inside scan answers, as epoch seconds on the wire. */
import { withEpochSeconds } from "./wire.js";

type Summary = { readonly imageScanCompletedAt: number; readonly vulnerabilitySourceUpdatedAt?: number };

const summaryOnWire = <S extends Summary>(summary: S): S =>
  withEpochSeconds(summary, ["imageScanCompletedAt", "vulnerabilitySourceUpdatedAt"]);

/** DescribeImages' imageScanFindingsSummary. */
export const imageDetailScanOnWire = <D extends { readonly imageScanFindingsSummary?: Summary }>(
  detail: D,
): D =>
  detail.imageScanFindingsSummary === undefined
    ? detail
    : { ...detail, imageScanFindingsSummary: summaryOnWire(detail.imageScanFindingsSummary) };

/** DescribeImageScanFindings' imageScanFindings. */
export const scanFindingsOnWire = <A extends { readonly imageScanFindings?: Summary }>(answer: A): A =>
  answer.imageScanFindings === undefined
    ? answer
    : { ...answer, imageScanFindings: summaryOnWire(answer.imageScanFindings) };
