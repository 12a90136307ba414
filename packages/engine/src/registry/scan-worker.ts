/**
 * The scan worker: runs the Scanner on every scan the log holds in progress and records how each
 * ended. Driven from the event log, never from memory: a scan is IN_PROGRESS in the state from the
 * moment its ImageScanStarted is appended (by a push or StartImageScan, in any process), so a
 * worker that starts (or restarts) finds every scan left unfinished, and one that runs follows the
 * global log to hear of new ones. Recording is idempotent (the core records the outcome of a scan
 * still in progress only), so two workers on one registry at worst scan an image twice.
 */
import { ScanFinding, type ScanInProgress, type ScanOutcome, scansInProgress, scanToRun } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import type { EventStore } from "../ports/event-store.js";
import type { Scanner, ScanReport } from "../ports/scanner.js";
import { abortableSleep } from "./abortable-sleep.js";
import type { RegistryRuntime } from "./registry-runtime.js";

export interface ScanWorkerOptions {
  /** Stops the worker: the scan under way is aborted and left in progress for the next worker. */
  readonly signal: AbortSignal;
  /** Told of failures of the storage (the worker retries after `retryDelayMs`). */
  readonly onError?: (error: unknown) => void;
  readonly retryDelayMs?: number;
}

export interface ScanWorkerSettings {
  readonly scanner: Scanner;
  /** How long one scan may take before it is recorded FAILED (default 5 minutes). */
  readonly scanTimeoutMs?: number;
}

const Findings = t.readonlyArray(ScanFinding);

/** What the scanner answered, checked: an embedder's scanner may answer anything. */
const outcomeOf = (report: ScanReport): ScanOutcome => {
  const findings = Findings.decode(report.findings);
  if (E.isLeft(findings)) {
    return { status: "FAILED", reason: "The scanner answered findings that are not ECR findings" };
  }
  const updatedAt = report.vulnerabilitySourceUpdatedAt;
  return {
    status: "COMPLETE",
    findings: findings.right,
    ...(typeof updatedAt === "number" && Number.isFinite(updatedAt)
      ? { vulnerabilitySourceUpdatedAt: updatedAt as never }
      : {}),
  };
};

export const createScanWorker = (
  runtime: RegistryRuntime,
  events: EventStore,
  readBlob: (scan: ScanInProgress, digest: string) => Promise<AsyncIterable<Uint8Array>>,
  settings: ScanWorkerSettings,
) => {
  const { handler } = runtime;
  const timeoutMs = settings.scanTimeoutMs ?? 5 * 60_000;

  const record = async (scan: ScanInProgress, outcome: ScanOutcome) => {
    const command = {
      type: "RecordImageScan",
      data: { ...scan, outcome, recordedAt: runtime.now() },
    } as const;
    const recorded = await handler.execute(command);
    // An outcome the log cannot keep (text no storage can hold) must not leave the scan in progress.
    if (E.isLeft(recorded) && outcome.status === "COMPLETE") {
      await handler.execute({
        ...command,
        data: { ...command.data, outcome: { status: "FAILED", reason: recorded.left.message } },
      });
    }
  };

  /** Scans one image if its scan is still in progress; false when the worker was stopped first. */
  const runOne = async (scan: ScanInProgress, stop: AbortSignal): Promise<boolean> => {
    const image = scanToRun(handler.state, scan);
    if (image === undefined) return true;
    const attempt = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
    let outcome: ScanOutcome;
    try {
      const imageManifest = await runtime.manifests.read(scan, scan.imageDigest);
      if (imageManifest === undefined) throw new Error(`The log holds no manifest for ${scan.imageDigest}`);
      const report = await Promise.race([
        settings.scanner.scan(
          {
            registryId: scan.registryId,
            repositoryName: scan.repositoryName,
            imageDigest: scan.imageDigest,
            imageManifest,
            imageManifestMediaType: image.manifestMediaType,
            readBlob: (digest) => readBlob(scan, digest),
          },
          { signal: attempt },
        ),
        new Promise<never>((_, reject) => {
          const fail = () => reject(new Error(`The scan took longer than ${timeoutMs} ms`));
          if (attempt.aborted) fail();
          else attempt.addEventListener("abort", fail, { once: true });
        }),
      ]);
      outcome = outcomeOf(report);
    } catch (error) {
      if (stop.aborted) return false;
      outcome = { status: "FAILED", reason: error instanceof Error ? error.message : String(error) };
    }
    await record(scan, outcome);
    return true;
  };

  /** One pass: every scan in progress now, one after another. Resolves to how many it ran. */
  const runPending = async (stop: AbortSignal = new AbortController().signal): Promise<number> => {
    await handler.catchUp();
    let ran = 0;
    for (const scan of scansInProgress(handler.state)) {
      if (stop.aborted || !(await runOne(scan, stop))) break;
      ran++;
    }
    return ran;
  };

  /** Waits until an ImageScanStarted is committed after `from` (or the worker stops). */
  const nextScanAfter = async (from: bigint, signal: AbortSignal) => {
    // `types` spares a read per command; the check covers an adapter that ignores it.
    for await (const event of events.subscribe({ after: from, signal, types: ["ImageScanStarted"] })) {
      if (event.type === "ImageScanStarted") return;
    }
  };

  const run = async (options: ScanWorkerOptions): Promise<void> => {
    const { signal } = options;
    while (!signal.aborted) {
      try {
        await handler.catchUp();
        // Whatever starts after this position wakes the worker, including what starts mid-pass.
        const from = handler.position;
        await runPending(signal);
        await nextScanAfter(from, signal);
      } catch (error) {
        if (signal.aborted) return;
        options.onError?.(error);
        await abortableSleep(options.retryDelayMs ?? 1000, signal);
      }
    }
  };

  return { runPending, run };
};
