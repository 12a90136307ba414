export * from "./adapter-kit/index.js";
export * from "./command-handler.js";
export * from "./layer-bytes.js";
export * from "./ports/blob-store.js";
export * from "./ports/event-store.js";
export * from "./registry.js";
export * from "./storable-text.js";
