/**
 * The testkit's one sha256: computed with node:crypto, never with the core's own, so that a test
 * comparing the two compares independent implementations.
 */
import { createHash } from "node:crypto";
import { Digest } from "@berth/core";
import { branded } from "./branded.js";

/** `sha256:<hex>` of `content` (a string counts as its UTF-8 bytes). */
export const sha256Digest = (content: Uint8Array | string): Digest =>
  branded(Digest, `sha256:${createHash("sha256").update(content).digest("hex")}`);
