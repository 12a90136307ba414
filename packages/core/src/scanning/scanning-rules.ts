/**
 * Which scanning applies to a repository: the registry's rules, matched by WILDCARD filters, else
 * the repository's own scanOnPush; and the per-image quota.
 */
import type { ImageState, RegistryState, RepositoryState } from "../kernel/registry-state.js";
import type { RegistryId, RepositoryName, Timestamp } from "../values/primitives.js";
import {
  DEFAULT_REGISTRY_SCANNING,
  type RegistryScanningConfiguration,
  SCAN_QUOTA_MS,
  type ScanFrequency,
  type ScanningRepositoryFilter,
} from "./scan-values.js";

/** A WILDCARD filter: `*` stands for any run of characters (`/` included), the rest matches itself. */
export const wildcardMatches = (filter: string, name: string): boolean => {
  const pattern = filter
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(name);
};

export const registryScanning = (
  state: RegistryState,
  registryId: RegistryId,
): RegistryScanningConfiguration =>
  state.registries.get(registryId)?.scanningConfiguration ?? DEFAULT_REGISTRY_SCANNING;

export interface EffectiveScanning {
  readonly scanOnPush: boolean;
  readonly scanFrequency: ScanFrequency;
  readonly appliedScanFilters: ReadonlyArray<ScanningRepositoryFilter>;
}

/** When a repository matches several rules, the most frequent scanning wins (as in ECR). */
const RANK: Readonly<Record<ScanFrequency, number>> = { CONTINUOUS_SCAN: 3, SCAN_ON_PUSH: 2, MANUAL: 1 };

/**
 * The scanning a repository gets: the registry rule it matches (with the filters that matched),
 * else its own scanOnPush. CONTINUOUS_SCAN scans on push (Berth has no vulnerability feed to rescan on).
 */
export const effectiveScanning = (
  configuration: RegistryScanningConfiguration,
  repository: { readonly name: RepositoryName; readonly scanOnPush: boolean },
): EffectiveScanning => {
  let best: EffectiveScanning | undefined;
  for (const rule of configuration.rules) {
    const applied = rule.repositoryFilters.filter((f) => wildcardMatches(f.filter, repository.name));
    if (
      applied.length === 0 ||
      (best !== undefined && RANK[best.scanFrequency] >= RANK[rule.scanFrequency])
    ) {
      continue;
    }
    best = {
      scanOnPush: rule.scanFrequency !== "MANUAL",
      scanFrequency: rule.scanFrequency,
      appliedScanFilters: applied,
    };
  }
  return (
    best ?? {
      scanOnPush: repository.scanOnPush,
      scanFrequency: repository.scanOnPush ? "SCAN_ON_PUSH" : "MANUAL",
      appliedScanFilters: [],
    }
  );
};

export const repositoryScansOnPush = (state: RegistryState, repository: RepositoryState): boolean =>
  effectiveScanning(registryScanning(state, repository.registryId), repository).scanOnPush;

/** True while the image's last scan started less than 24 hours before `now`. */
export const scanQuotaExceeded = (image: Pick<ImageState, "scan">, now: Timestamp): boolean =>
  image.scan !== undefined && now - image.scan.startedAt < SCAN_QUOTA_MS;
