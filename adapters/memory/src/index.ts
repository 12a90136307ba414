export { createMemoryBlobStore } from "./memory-blob-store.js";
export { createMemoryEventStore, type MemoryEventStoreOptions } from "./memory-event-store.js";
export { createMemorySnapshotStore } from "./memory-snapshot-store.js";
