/**
 * `berth lifecycle apply [--repository NAME]`: applies lifecycle policies now, against the storage
 * `berth serve` uses, and prints what expired. (The embedded storage admits one process at a time:
 * stop the server first, or use PostgreSQL, where a running server sees the expiries at once.)
 */
import type { RegistryId, RepositoryName } from "@berth/core";
import { createRegistry, type ExpiredImage } from "@berth/engine";
import { Command } from "commander";
import { restoreOnly } from "./snapshot-options.js";
import { openStorage } from "./storage.js";
import {
  addStorageOptions,
  type StorageFlags,
  storageOptionsOf,
  withDatabaseUrl,
} from "./storage-options.js";

export interface LifecycleApplyOptions extends StorageFlags {
  readonly repository?: string;
}

export const describeExpired = (expired: ReadonlyArray<ExpiredImage>): string =>
  [
    ...expired.map(
      (image) =>
        `expired ${image.repositoryName}@${image.imageDigest}${image.imageTags.length === 0 ? "" : ` (${image.imageTags.join(", ")})`} by rule ${image.rulePriority}`,
    ),
    `${expired.length} image${expired.length === 1 ? "" : "s"} expired`,
  ].join("\n");

/** Applies the policies and answers the report, or throws the registry's refusal as an Error. */
export const lifecycleApply = async (options: LifecycleApplyOptions): Promise<string> => {
  const storage = await openStorage(storageOptionsOf(options));
  try {
    const registry = createRegistry({
      events: storage.events,
      blobs: storage.blobs,
      defaultRegistryId: options.registryId as RegistryId,
      ...restoreOnly(storage),
    });
    const applied = await registry.applyLifecyclePolicies({
      registryId: options.registryId as RegistryId,
      ...(options.repository === undefined ? {} : { repositoryName: options.repository as RepositoryName }),
    });
    if (applied._tag === "Left") throw new Error(`${applied.left._tag}: ${applied.left.message}`);
    return describeExpired(applied.right.expired);
  } finally {
    await storage.close();
  }
};

export const lifecycleCommand = (): Command => {
  const lifecycle = new Command("lifecycle").description("Lifecycle policies.");
  addStorageOptions(
    lifecycle
      .command("apply")
      .description("Apply lifecycle policies now (every repository's, or one) and print what expired.")
      .option("--repository <name>", "only this repository"),
  ).action(async (options: LifecycleApplyOptions) => {
    console.log(await lifecycleApply(withDatabaseUrl(options)));
  });
  return lifecycle;
};
