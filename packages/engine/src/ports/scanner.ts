/**
 * The scanner port: what finds vulnerabilities in an image. The engine's scan worker calls it for
 * every scan in progress (started on push or by StartImageScan) and records what it answers, or its
 * failure, as the scan's outcome. An embedding service plugs its own through
 * `createRegistry({ scanner })`; Berth ships one that finds nothing and one that reads findings
 * from a file (`berth serve --scan-findings FILE`).
 */
import type { Digest, MediaType, RegistryId, RepositoryName, ScanFinding } from "@berth/core";

/** The image to scan: its manifest as pushed, and a reader of the blobs (config, layers) it references. */
export interface ScanTarget {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly imageDigest: Digest;
  readonly imageManifest: string;
  readonly imageManifestMediaType: MediaType;
  /** Streams a blob of the image's repository (as the OCI API serves it). */
  readonly readBlob: (digest: Digest) => Promise<AsyncIterable<Uint8Array>>;
}

export interface ScanReport {
  /** ECR's ImageScanFinding: name, description, uri, severity, attributes (each optional). */
  readonly findings: ReadonlyArray<ScanFinding>;
  /** When the vulnerability data the scanner used was last updated (epoch milliseconds). */
  readonly vulnerabilitySourceUpdatedAt?: number;
}

export interface Scanner {
  /**
   * Scans one image. A rejection records the scan as FAILED with the error's message. `signal`
   * aborts when the scan took too long or the worker stops: stop working then.
   */
  scan(image: ScanTarget, options: { readonly signal: AbortSignal }): Promise<ScanReport>;
}

/** The default scanner: every scan completes, with no findings. */
export const noFindingsScanner: Scanner = {
  scan: () => Promise.resolve({ findings: [] }),
};
