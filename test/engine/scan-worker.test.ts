/**
 * The scan worker: scans live in the log, so a registry that restarts (a new process on the same
 * store) finishes the scans another left in progress; a scanner that fails or answers what the log
 * cannot keep records FAILED, never a scan stuck IN_PROGRESS; a running worker picks up new scans
 * and stops when told.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { type ImageTag, type RepositoryName, sha256Hex, utf8Encode } from "@berth/core";
import { createRegistry, type Registry, type Scanner } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

const repositoryName = "scan/app" as RepositoryName;
const imageId = { imageTag: "v1" as ImageTag };

const right = <A>(either: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(either.left.message);
  return either.right;
};

/** Pushes a one-blob image (lenient mode spares the layer uploads) into a scan-on-push repository. */
const pushScanned = async (registry: Registry) => {
  right(await registry.putRegistrySettings({ lenient: true }));
  right(
    await registry.createRepository({
      repositoryName,
      imageScanningConfiguration: { scanOnPush: true },
    } as never),
  );
  const config = utf8Encode("{}");
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: `sha256:${sha256Hex(config)}`,
      size: 2,
    },
    layers: [],
  });
  right(await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
};

const status = async (registry: Registry) =>
  right(await registry.describeImageScanFindings({ repositoryName, imageId })).imageScanStatus;

describe("the scan worker", () => {
  it("finishes after a restart the scans a stopped registry left in progress, once", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    const before = createRegistry({ events, blobs });
    await pushScanned(before);
    expect(await status(before)).toEqual({ status: "IN_PROGRESS" });

    let scans = 0;
    const scanner: Scanner = {
      scan: async () => {
        scans++;
        return { findings: [{ name: "CVE-1", severity: "HIGH" }] };
      },
    };
    const after = createRegistry({ events, blobs, scanner });
    expect(await after.runPendingScans()).toBe(1);
    expect(await after.runPendingScans()).toBe(0);
    expect(scans).toBe(1);
    expect(await status(after)).toEqual({
      status: "COMPLETE",
      description: "The scan was completed successfully.",
    });
    expect(await status(before)).toMatchObject({ status: "COMPLETE" });
  });

  it("records FAILED when the scanner fails, or answers findings no storage can keep", async () => {
    for (const scanner of [
      { scan: () => Promise.reject(new Error("the vulnerability feed is down")) },
      { scan: () => Promise.resolve({ findings: [{ name: "CVE\u0000" }] }) },
      { scan: () => Promise.resolve({ findings: [{ severity: "APOCALYPTIC" }] as never }) },
    ] satisfies Scanner[]) {
      const registry = createRegistry({
        events: createMemoryEventStore(),
        blobs: createMemoryBlobStore(),
        scanner,
      });
      await pushScanned(registry);
      await registry.runPendingScans();
      expect((await status(registry))?.status).toBe("FAILED");
    }
    const registry = createRegistry({
      events: createMemoryEventStore(),
      blobs: createMemoryBlobStore(),
      scanner: { scan: () => Promise.reject(new Error("the vulnerability feed is down")) },
    });
    await pushScanned(registry);
    await registry.runPendingScans();
    expect(await status(registry)).toEqual({
      status: "FAILED",
      description: "the vulnerability feed is down",
    });
  });

  it("a running worker scans what starts after it, and stops when its signal aborts", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    const stop = new AbortController();
    const worker = registry.runScanWorker({ signal: stop.signal });
    await pushScanned(registry);
    const deadline = Date.now() + 10_000;
    while ((await status(registry))?.status === "IN_PROGRESS" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await status(registry))?.status).toBe("COMPLETE");
    stop.abort();
    await worker;
  });
});
