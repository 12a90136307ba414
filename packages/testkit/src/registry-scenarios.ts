/**
 * Whole-registry scenarios through `createRegistry`, as a vitest suite an adapter author runs
 * against their own EventStore and BlobStore, unchanged:
 *
 *   describeRegistryScenarios("my stores", async () => ({ events, blobs, teardown }));
 *
 * The contract suites check each port on its own; these check that the engine, run on the two
 * ports together, behaves like a registry: pushes and pulls byte-exact, tags moved or refused,
 * uploads that fail their digest leave nothing behind, and two engines sharing the stores (two
 * processes on one database) see each other's writes on their next read.
 *
 * `makeStores` is called before each test. Stores may share one database across tests: every
 * scenario works in repositories of its own and never assumes an empty log.
 */
import { describe } from "vitest";
import { describeImageScenarios } from "./image-scenarios.js";
import { describeLayerUploadScenarios } from "./layer-upload-scenarios.js";
import { describeRepositoryScenarios } from "./repository-scenarios.js";
import {
  type MakeRegistryStores,
  type RegistryScenarioOptions,
  useScenarioContext,
} from "./scenario-context.js";
import { describeSharedStoreScenarios } from "./shared-store-scenarios.js";
import { describeTagScenarios } from "./tag-scenarios.js";

/** Every registry scenario, topic by topic, on fresh stores from `makeStores` for each test. */
export const describeRegistryScenarios = (
  name: string,
  makeStores: MakeRegistryStores,
  options: RegistryScenarioOptions = {},
): void => {
  describe(`registry scenarios: ${name}`, () => {
    const scenario = useScenarioContext(makeStores, options);
    describeRepositoryScenarios(scenario);
    describeLayerUploadScenarios(scenario);
    describeImageScenarios(scenario);
    describeTagScenarios(scenario);
    describeSharedStoreScenarios(scenario);
  });
};
