/** Small pieces every storage adapter needs; exported so that a third adapter need not write them again. */
export { resolveByteRange } from "./byte-range.js";
export { byteSource } from "./byte-source.js";
export { isExpectedVersion } from "./expected-version.js";
export { createKeyedLock, type KeyedLock } from "./keyed-lock.js";
export { type PollingSubscriptionOptions, pollingSubscription } from "./polling-subscription.js";
export { sha256Digest } from "./sha256-digest.js";
export { verifyUpload } from "./verify-upload.js";
export { createWakeSignal, type WakeSignal } from "./wake-signal.js";
