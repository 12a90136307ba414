/**
 * The image scanning slice: repository and registry scanning configuration, scans started by hand
 * or on push (at most one per image per 24 hours), and their outcomes as the scan worker records them.
 */
import { registrySettingsDraft, repositoryStep } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import { decideRecordImageScan, decideStartImageScan } from "./decide-image-scan.js";
import {
  decidePutImageScanningConfiguration,
  decidePutRegistryScanningConfiguration,
} from "./decide-scanning-configuration.js";
import { type ImageScan, severityCountsOf } from "./scan-values.js";
import type { ScanningCommand } from "./scanning-commands.js";
import type {
  ImageScanCompleted,
  ImageScanFailed,
  ImageScanStarted,
  ScanningEvent,
} from "./scanning-events.js";

type ScanEvent = ImageScanStarted | ImageScanCompleted | ImageScanFailed;

/** Sets the scan of an image that still exists; an outcome applies only to the scan it belongs to. */
const scanStep = <Event extends ScanEvent>(scanOf: (event: Event) => ImageScan) =>
  repositoryStep<Event>((repository, event) => {
    const image = repository.images.get(event.data.imageDigest);
    if (image === undefined) return;
    if (event.type !== "ImageScanStarted" && image.scan?.startedAt !== event.data.startedAt) return;
    image.scan = scanOf(event);
  });

export const scanningDecider: Slice<ScanningCommand, ScanningEvent> = {
  decide: {
    PutImageScanningConfiguration: decidePutImageScanningConfiguration,
    PutRegistryScanningConfiguration: decidePutRegistryScanningConfiguration,
    StartImageScan: decideStartImageScan,
    RecordImageScan: decideRecordImageScan,
  },
  evolve: {
    ImageScanningConfigurationChanged: repositoryStep((repository, { data }) => {
      repository.scanOnPush = data.scanOnPush;
    }),
    RegistryScanningConfigurationChanged: (draft, { data }) => {
      registrySettingsDraft(draft, data.registryId).scanningConfiguration = {
        scanType: data.scanType,
        rules: data.rules,
      };
    },
    ImageScanStarted: scanStep<ImageScanStarted>(({ data }) => ({
      status: "IN_PROGRESS",
      startedAt: data.startedAt,
    })),
    ImageScanCompleted: scanStep<ImageScanCompleted>(({ data }) => ({
      status: "COMPLETE",
      startedAt: data.startedAt,
      completedAt: data.completedAt,
      vulnerabilitySourceUpdatedAt: data.vulnerabilitySourceUpdatedAt,
      findings: data.findings,
      severityCounts: severityCountsOf(data.findings),
    })),
    ImageScanFailed: scanStep<ImageScanFailed>(({ data }) => ({
      status: "FAILED",
      startedAt: data.startedAt,
      failedAt: data.failedAt,
      reason: data.reason,
    })),
  },
};
