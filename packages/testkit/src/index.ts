/**
 * @berth/testkit — run Berth's specifications against your own code: the storage contract suites
 * and registry scenarios (for a new adapter), the given/when/then decider specification, fast-check
 * arbitraries of registry values and command sequences, and a small reference model of a registry.
 */

export { blobInfoOf, slowStream, storeBlob } from "./blob-helpers.js";
export { describeBlobStoreContract } from "./blob-store-contract.js";
export * from "./branded.js";
export * from "./command-sequence-arbitraries.js";
export * from "./decider-specification.js";
export { describeEventStoreContract } from "./event-store-contract.js";
export * from "./layer-blobs.js";
export * from "./manifest-arbitraries.js";
export * from "./read-all-bytes.js";
export type {
  ReferenceDeletion,
  ReferenceImage,
  ReferenceImageDetail,
  ReferenceOutcome,
  ReferenceRepository,
} from "./reference-model.js";
export { ReferenceRegistry } from "./reference-registry.js";
export { isSweepCommand, type SweepCommand } from "./reference-scope.js";
export * from "./registry-commands.js";
export * from "./registry-outcomes.js";
export * from "./registry-pushes.js";
export { describeRegistryScenarios } from "./registry-scenarios.js";
export type { MakeRegistryStores, RegistryScenarioOptions, RegistryStores } from "./scenario-context.js";
export * from "./sha256-digest.js";
export type { MakeStore, StoreFixture } from "./store-fixture.js";
export { tagIsImmutable, wildcardMatches } from "./tag-mutability.js";
export * from "./value-arbitraries.js";
