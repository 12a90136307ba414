/**
 * StartImageScan, scans on push, and recording a scan's outcome. A scan starts IN_PROGRESS in the
 * log; the engine's scan worker runs the scanner and records COMPLETE or FAILED.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { ImagePushed } from "../images/image-events.js";
import { requireImage } from "../images/image-queries.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import { SCAN_QUOTA_MESSAGE } from "./scan-values.js";
import type { RecordImageScan, StartImageScan } from "./scanning-commands.js";
import type { ImageScanStarted, ScanningEvent } from "./scanning-events.js";
import { repositoryScansOnPush, scanQuotaExceeded } from "./scanning-rules.js";

const { accept, refuse } = decisionsOf<ScanningEvent>();

export const decideStartImageScan = (state: RegistryState, { data }: StartImageScan) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => requireImage(repository, data.imageId)),
    E.chain((image) =>
      scanQuotaExceeded(image, data.startedAt)
        ? refuse(RegistryErrors.limitExceeded(SCAN_QUOTA_MESSAGE))
        : accept({
            type: "ImageScanStarted",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              imageDigest: image.digest,
              startedAt: data.startedAt,
            },
          }),
    ),
  );

const isImagePushed = (event: { readonly type: string }): event is ImagePushed =>
  event.type === "ImagePushed";

/**
 * The scans a decision starts besides its own events: each image it pushes into a repository that
 * scans on push (its own scanOnPush, or a registry rule) starts a scan in the same append.
 */
export const scansOnPush = (
  state: RegistryState,
  events: ReadonlyArray<{ readonly type: string }>,
): ReadonlyArray<ImageScanStarted> => {
  const started: ImageScanStarted[] = [];
  for (const event of events) {
    if (!isImagePushed(event)) continue;
    const { registryId, repositoryName, imageDigest, pushedAt } = event.data;
    const repository = findRepository(state, registryId, repositoryName);
    if (repository === undefined || !repositoryScansOnPush(state, repository)) continue;
    const image = repository.images.get(imageDigest);
    if (image !== undefined && scanQuotaExceeded(image, pushedAt)) continue;
    started.push({
      type: "ImageScanStarted",
      data: { registryId, repositoryName, imageDigest, startedAt: pushedAt },
    });
  }
  return started;
};

/** Records the outcome of the scan still in progress that started at `startedAt`; else nothing. */
export const decideRecordImageScan = (state: RegistryState, { data }: RecordImageScan) => {
  const scan = findRepository(state, data.registryId, data.repositoryName)?.images.get(
    data.imageDigest,
  )?.scan;
  if (scan?.status !== "IN_PROGRESS" || scan.startedAt !== data.startedAt) return accept();
  const ref = {
    registryId: data.registryId,
    repositoryName: data.repositoryName,
    imageDigest: data.imageDigest,
    startedAt: data.startedAt,
  };
  return data.outcome.status === "COMPLETE"
    ? accept({
        type: "ImageScanCompleted",
        data: {
          ...ref,
          completedAt: data.recordedAt,
          findings: data.outcome.findings,
          ...(data.outcome.vulnerabilitySourceUpdatedAt === undefined
            ? {}
            : { vulnerabilitySourceUpdatedAt: data.outcome.vulnerabilitySourceUpdatedAt }),
        },
      })
    : accept({
        type: "ImageScanFailed",
        data: { ...ref, failedAt: data.recordedAt, reason: data.outcome.reason },
      });
};
