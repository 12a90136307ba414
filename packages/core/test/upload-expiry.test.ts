/**
 * Upload expiry: a session's deadline is recorded when it opens; at the deadline itself and after
 * it, parts and completion are refused with UploadNotFoundException saying it expired, and the sweep
 * may close it (LayerUploadExpired), after which its bytes are released once.
 */
import {
  type BerthCommand,
  type BerthEvent,
  DEFAULT_UPLOAD_TTL_MS,
  decide,
  expiredUploads,
  fold,
  nextUploadDeadline,
  type RegistryState,
  Timestamp,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  historyFrom,
  layerBlobOf,
  registryCommands,
  registryDecider,
  uploadIdFrom,
} from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, ref, registryId } from "./example-registry.js";

const uploadId = uploadIdFrom("expiring");
const blob = layerBlobOf("bytes that arrive late");
const at = (ms: number) => registryCommands(registryId, branded(Timestamp, ms));
const c = at(EXAMPLE_TIME);

/** A session opened at EXAMPLE_TIME with `ttl`, holding `blob` in one part. */
const openWith = (ttl: number): RegistryState => {
  const initiate = c.initiateLayerUpload(app, uploadId);
  const opened: BerthCommand = {
    ...initiate,
    data: { ...initiate.data, expiresAt: branded(Timestamp, EXAMPLE_TIME + ttl) },
  };
  return fold(
    historyFrom(registryDecider, [
      c.createRepository(app),
      opened,
      c.uploadLayerPart(app, uploadId, 0, blob.size),
    ]),
  );
};

const refusalOf = (state: RegistryState, command: BerthCommand) => {
  const decision = decide(state, command);
  return E.isLeft(decision) ? decision.left : undefined;
};

describe("upload expiry", () => {
  test.prop([fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: -5, max: 5 })])(
    "a session takes parts and completes strictly before its deadline, and from the deadline on says it expired",
    (ttl, offset) => {
      const state = openWith(ttl);
      const when = at(EXAMPLE_TIME + Math.max(ttl + offset, 0));
      const commands = [
        when.uploadLayerPart(app, uploadId, blob.size, 1),
        when.completeLayerUpload(app, uploadId, blob, { rules: "oci" }),
      ];
      for (const command of commands) {
        const refusal = refusalOf(state, command);
        if (ttl + offset < ttl) {
          expect(refusal?._tag).not.toBe("UploadNotFoundException");
        } else {
          expect(refusal?._tag).toBe("UploadNotFoundException");
          expect(refusal?.message).toMatch(/expired at/);
        }
      }
    },
  );

  it("the sweep closes a session at exactly its deadline, not a millisecond before", () => {
    const state = openWith(3000);
    const expire = (ms: number): BerthCommand => ({
      type: "ExpireLayerUpload",
      data: { ...ref, uploadId, now: branded(Timestamp, ms) },
    });
    expect(expiredUploads(state, branded(Timestamp, EXAMPLE_TIME + 2999))).toEqual([]);
    expect(refusalOf(state, expire(EXAMPLE_TIME + 2999))?._tag).toBe("InvalidParameterException");
    expect(nextUploadDeadline(state)).toBe(EXAMPLE_TIME + 3000);
    const decision = decide(state, expire(EXAMPLE_TIME + 3000));
    expect(decision).toEqual(
      E.right([{ type: "LayerUploadExpired", data: { ...ref, uploadId, expiredAt: EXAMPLE_TIME + 3000 } }]),
    );
    const after = fold(E.isRight(decision) ? decision.right : [], state);
    expect(after.uploads.has(uploadId)).toBe(false);
    expect(after.releasableUploads.get(uploadId)).toBe(registryId);
    // Expired is remembered: a late part still hears why, not only that the upload is unknown.
    const late = refusalOf(after, at(EXAMPLE_TIME + 1).uploadLayerPart(app, uploadId, blob.size, 1));
    expect(late?.message).toMatch(/expired at/);
    // Expiring again records nothing new: UploadNotFound, the session is closed.
    expect(refusalOf(after, expire(EXAMPLE_TIME + 4000))?._tag).toBe("UploadNotFoundException");

    const release: BerthCommand = { type: "ReleaseUploadBytes", data: { registryId, uploadId } };
    const released = decide(after, release);
    expect(released).toEqual(E.right([{ type: "UploadBytesReleased", data: { registryId, uploadId } }]));
    const clean = fold(E.isRight(released) ? released.right : [], after);
    expect(clean.releasableUploads.size).toBe(0);
    expect(decide(clean, release)).toEqual(E.right([]));
  });

  it("a session recorded before deadlines existed ends the default TTL after it began", () => {
    const events: BerthEvent[] = [
      ...historyFrom(registryDecider, [c.createRepository(app)]),
      { type: "LayerUploadInitiated", data: { ...ref, uploadId, initiatedAt: EXAMPLE_TIME } },
    ];
    const state = fold(events);
    expect(state.uploads.get(uploadId)?.expiresAt).toBe(EXAMPLE_TIME + DEFAULT_UPLOAD_TTL_MS);
  });

  it("deleting a repository leaves its open sessions' bytes to be released", () => {
    const state = openWith(3000);
    const deleted = fold(historyFrom(registryDecider, [c.deleteRepository(app, true)], state), state);
    expect([...deleted.releasableUploads.keys()]).toEqual([uploadId]);
  });
});
