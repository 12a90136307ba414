/** ECR request codecs: the constraints of the official model, and one decoding entry point. */
export * from "./decode-request.js";
export * from "./ecr-requests.js";
export * from "./image-requests.js";
export * from "./layer-requests.js";
export * from "./policy-requests.js";
export * from "./registry-requests.js";
export * from "./repository-requests.js";
export * from "./resource-tag-requests.js";
