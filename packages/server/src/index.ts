export * from "./auth/authorization-token.js";
export * from "./auth/credentials.js";
export * from "./auth/sigv4.js";
export * from "./berth-server.js";
export { type ServeOptions, serve } from "./cli/berth.js";
export * from "./cli/storage.js";
export * from "./ecr/ecr-api.js";
export * from "./ecr/ecr-errors.js";
export { type CallContext, ecrOperations } from "./ecr/operations.js";
