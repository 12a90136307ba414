/**
 * Image scanning: repository and registry scanning configuration, StartImageScan,
 * DescribeImageScanFindings, and the worker that runs scans in progress through the Scanner.
 */
import {
  batchGetRepositoryScanningConfiguration,
  describeImageScanFindings,
  getRegistryScanningConfiguration,
  type ImageIdentifier,
  type RegistryScanningRule,
  type RepositoryName,
  type ScanType,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { EventStore } from "../ports/event-store.js";
import type { Scanner } from "../ports/scanner.js";
import type {
  AnswerOf,
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  RepositoryRef,
  Result,
  WithRegistry,
} from "./registry-runtime.js";
import { createScanWorker, type ScanWorkerOptions } from "./scan-worker.js";

export interface ScanningOperations {
  /** ECR PutImageScanningConfiguration: the repository's own scan on push. */
  putImageScanningConfiguration(
    input: RepositoryInput & { readonly imageScanningConfiguration: { readonly scanOnPush?: boolean } },
  ): Result<RepositoryRef & { imageScanningConfiguration: { scanOnPush: boolean } }>;
  /** ECR PutRegistryScanningConfiguration: replaces the registry's scan type and rules. */
  putRegistryScanningConfiguration(
    input: RegistryInput & {
      readonly scanType?: ScanType;
      readonly rules?: ReadonlyArray<RegistryScanningRule>;
    },
  ): Result<{ registryScanningConfiguration: AnswerOf<typeof getRegistryScanning>["scanningConfiguration"] }>;
  /** ECR GetRegistryScanningConfiguration. */
  getRegistryScanningConfiguration(input?: RegistryInput): Result<AnswerOf<typeof getRegistryScanning>>;
  /** ECR BatchGetRepositoryScanningConfiguration: the scanning each repository really gets. */
  batchGetRepositoryScanningConfiguration(
    input: RegistryInput & { readonly repositoryNames: ReadonlyArray<RepositoryName> },
  ): Result<ReturnType<typeof batchGetRepositoryScanningConfiguration>>;
  /** ECR StartImageScan: at most one scan per image per 24 hours (LimitExceededException). */
  startImageScan(input: RepositoryInput & { readonly imageId: ImageIdentifier }): Result<
    RepositoryRef & {
      imageId: { imageDigest: string; imageTag?: string };
      imageScanStatus: { status: "IN_PROGRESS" };
    }
  >;
  /** ECR DescribeImageScanFindings: ScanNotFoundException for an image never scanned. */
  describeImageScanFindings(
    input: WithRegistry<Parameters<typeof describeImageScanFindings>[1]>,
  ): Result<AnswerOf<typeof describeImageScanFindings>>;
  /** Runs every scan now in progress through the scanner, records the outcomes, says how many ran. */
  runPendingScans(): Promise<number>;
  /**
   * Runs scans as they start, until `signal` aborts: scans left in progress first (after a
   * restart), then each one the log records. `berth serve` runs it; so may an embedding service.
   */
  runScanWorker(options: ScanWorkerOptions): Promise<void>;
}

const getRegistryScanning = (...args: Parameters<typeof getRegistryScanningConfiguration>) =>
  E.right(getRegistryScanningConfiguration(...args));

export interface ScanningDependencies {
  readonly events: EventStore;
  readonly scanner: Scanner;
  readonly scanTimeoutMs?: number;
  /** Streams a blob of a repository, for the scanner. */
  readonly readBlob: (ref: RepositoryRef, digest: string) => Promise<AsyncIterable<Uint8Array>>;
}

export const scanningOperations = (
  runtime: RegistryRuntime,
  dependencies: ScanningDependencies,
): ScanningOperations => {
  const { now, run, runWithEvents, query, refOf, registryOf } = runtime;
  const worker = createScanWorker(runtime, dependencies.events, dependencies.readBlob, {
    scanner: dependencies.scanner,
    ...(dependencies.scanTimeoutMs === undefined ? {} : { scanTimeoutMs: dependencies.scanTimeoutMs }),
  });
  return {
    putImageScanningConfiguration: (input) => {
      const ref = refOf(input);
      const scanOnPush = input.imageScanningConfiguration.scanOnPush ?? false;
      return run({ type: "PutImageScanningConfiguration", data: { ...ref, scanOnPush } }, () => ({
        ...ref,
        imageScanningConfiguration: { scanOnPush },
      }));
    },
    putRegistryScanningConfiguration: (input) => {
      const registryId = registryOf(input);
      return run(
        {
          type: "PutRegistryScanningConfiguration",
          data: {
            registryId,
            ...(input.scanType === undefined ? {} : { scanType: input.scanType }),
            ...(input.rules === undefined ? {} : { rules: input.rules }),
          },
        },
        () => ({
          registryScanningConfiguration: getRegistryScanningConfiguration(runtime.handler.state, {
            registryId,
          }).scanningConfiguration,
        }),
      );
    },
    getRegistryScanningConfiguration: (input = {}) =>
      query((state) => getRegistryScanning(state, { registryId: registryOf(input) })),
    batchGetRepositoryScanningConfiguration: (input) =>
      query((state) =>
        E.right(
          batchGetRepositoryScanningConfiguration(state, runtime.context, {
            registryId: registryOf(input),
            repositoryNames: input.repositoryNames,
          }),
        ),
      ),
    startImageScan: (input) => {
      const ref = refOf(input);
      return runWithEvents(
        { type: "StartImageScan", data: { ...ref, imageId: input.imageId, startedAt: now() } },
        (events) => {
          const started = events.find((event) => event.type === "ImageScanStarted");
          const imageDigest = started?.type === "ImageScanStarted" ? started.data.imageDigest : "";
          return {
            ...ref,
            imageId: {
              imageDigest,
              ...(input.imageId.imageTag === undefined ? {} : { imageTag: input.imageId.imageTag }),
            },
            imageScanStatus: { status: "IN_PROGRESS" as const },
          };
        },
      );
    },
    describeImageScanFindings: (input) =>
      query((state) => describeImageScanFindings(state, { ...input, registryId: registryOf(input) })),
    runPendingScans: () => worker.runPending(),
    runScanWorker: (options) => worker.run(options),
  };
};
