export { createMemoryBlobStore } from "./memory-blob-store.js";
export { createMemoryEventStore, type MemoryEventStoreOptions } from "./memory-event-store.js";
