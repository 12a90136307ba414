/** What every registry scenario works with: fresh stores per test, and engines over them. */
import { ImageTag } from "@berth/core";
import {
  type BlobStore,
  createRegistry,
  type EventStore,
  type Registry,
  type RegistryOptions,
} from "@berth/engine";
import { branded } from "./branded.js";
import { useStoreFixture } from "./store-fixture.js";

/** The two stores an engine runs on, and how to dispose of them after a test. */
export interface RegistryStores {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  readonly teardown?: () => Promise<void>;
}

export type MakeRegistryStores = () => Promise<RegistryStores>;

export interface RegistryScenarioOptions {
  /** Extra options for every `createRegistry` of the suite (clock, ids, readBatchSize…). */
  readonly registry?: Omit<RegistryOptions, "events" | "blobs">;
}

/** Handed to each topic's scenarios; both functions work only inside a test. */
export interface ScenarioContext {
  /** A new engine on the test's stores: call it twice for two processes sharing one database. */
  readonly engine: () => Registry;
  /** The test's stores themselves, for checks below the engine. */
  readonly stores: () => RegistryStores;
}

/** Gives each test of the enclosing `describe` fresh stores from `makeStores`, torn down after it. */
export const useScenarioContext = (
  makeStores: MakeRegistryStores,
  options: RegistryScenarioOptions,
): ScenarioContext => {
  const stores = useStoreFixture(async () => {
    const made = await makeStores();
    return { store: made, teardown: async () => made.teardown?.() };
  });
  return {
    engine: () => createRegistry({ ...options.registry, events: stores().events, blobs: stores().blobs }),
    stores,
  };
};

/** A tag for scenarios, checked by the core's codec. */
export const tag = (value: string): ImageTag => branded(ImageTag, value);
