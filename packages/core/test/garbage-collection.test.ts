/**
 * Blob garbage collection, decided by the core from the state, the time and the grace period: a blob
 * is collectable exactly `grace` after its last reference went; a collected layer cannot be
 * referenced by a later push; a push and a collection on one repository are decided against each
 * other's outcome (they share a stream), so exactly one of the two takes effect.
 */
import {
  type BerthCommand,
  type BerthEvent,
  collectableBlobs,
  decide,
  fold,
  ImageTag,
  nextCollectionDue,
  type RegistryState,
  streamOfCommand,
  Timestamp,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  historyFrom,
  imageManifestOf,
  layerBlobOf,
  registryCommands,
  registryDecider,
} from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, other, registryId } from "./example-registry.js";

const config = layerBlobOf('{"architecture":"amd64"}');
const layer = layerBlobOf("the one layer");
const image = imageManifestOf(config, [layer]);
const at = (ms: number) => registryCommands(registryId, branded(Timestamp, ms));
const c = at(EXAMPLE_TIME);
const time = (ms: number) => branded(Timestamp, ms);

/** `image` pushed into `app` at EXAMPLE_TIME and deleted `deletedAfter` ms later. */
const deletedImage = (deletedAfter: number): RegistryState => {
  const pushed = historyFrom(registryDecider, [
    c.createRepository(app),
    ...c.uploadLayer(app, config),
    ...c.uploadLayer(app, layer),
    c.putImage(app, image, { tag: "v1" }),
  ]);
  const deleted = historyFrom(
    registryDecider,
    [at(EXAMPLE_TIME + deletedAfter).deleteImages(app, [{ imageTag: branded(ImageTag, "v1") }])],
    fold(pushed),
  );
  return fold([...pushed, ...deleted]);
};

const run = (state: RegistryState, command: BerthCommand): { state: RegistryState; events: BerthEvent[] } => {
  const decision = decide(state, command);
  if (E.isLeft(decision)) throw new Error(decision.left.message);
  return { state: fold(decision.right, state), events: [...decision.right] };
};

const collectLayer = (digest: string, now: number, gracePeriod: number): BerthCommand => ({
  type: "CollectLayer",
  data: { registryId, repositoryName: app, layerDigest: digest as never, now: time(now), gracePeriod },
});

describe("blob garbage collection", () => {
  test.prop([
    fc.integer({ min: 0, max: 10 ** 8 }),
    fc.integer({ min: 1, max: 10 ** 8 }),
    fc.integer({ min: -3, max: 3 }),
  ])(
    "a blob is collectable from exactly `grace` after its last reference went, not before",
    (deletedAfter, grace, offset) => {
      const state = deletedImage(deletedAfter);
      const deletedAt = EXAMPLE_TIME + deletedAfter;
      const now = deletedAt + grace + offset;
      const due = collectableBlobs(state, time(now), grace).map((blob) => blob.digest);
      expect(due.sort()).toEqual(offset >= 0 ? [config.digest, layer.digest].sort() : []);
      expect(nextCollectionDue(state, grace)).toBe(deletedAt + grace);
    },
  );

  test.prop([fc.integer({ min: 1, max: 10 ** 8 }), fc.integer({ min: 1, max: 10 ** 8 })])(
    "an image a lifecycle policy expires releases its blobs as a deletion does",
    (expiredAfter, grace) => {
      const pushed = fold(
        historyFrom(registryDecider, [
          c.createRepository(app),
          ...c.uploadLayer(app, config),
          ...c.uploadLayer(app, layer),
          c.putImage(app, image, { tag: "v1" }),
        ]),
      );
      const expireAll = JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
            action: { type: "expire" },
          },
        ],
      }).padEnd(100, " "); // a policy text is at least 100 characters
      const expiredAt = EXAMPLE_TIME + expiredAfter;
      let state = run(pushed, {
        type: "PutLifecyclePolicy",
        data: { registryId, repositoryName: app, lifecyclePolicyText: expireAll },
      }).state;
      // The policy keeps the newest image: a second, newer one (sharing the config) stays, v1 goes.
      state = run(state, at(expiredAt - 1).putImage(app, imageManifestOf(config, []), { tag: "v2" })).state;
      const applied = run(state, {
        type: "ApplyLifecyclePolicy",
        data: { registryId, repositoryName: app, now: time(expiredAt) },
      });
      expect(applied.events.map((event) => event.type)).toContain("ImageExpired");
      const due = (now: number) => collectableBlobs(applied.state, time(now), grace).map((b) => b.digest);
      expect(due(expiredAt + grace - 1)).toEqual([]);
      expect(due(expiredAt + grace)).toEqual([layer.digest]); // the config stays: v2 references it
    },
  );

  it("a referenced blob is never collectable, however long ago it was uploaded", () => {
    const state = fold(
      historyFrom(registryDecider, [
        c.createRepository(app),
        ...c.uploadLayer(app, config),
        ...c.uploadLayer(app, layer),
        c.putImage(app, image),
      ]),
    );
    expect(collectableBlobs(state, time(EXAMPLE_TIME + 10 ** 12), 1)).toEqual([]);
    expect(decide(state, collectLayer(layer.digest, EXAMPLE_TIME + 10 ** 12, 1))).toEqual(E.right([]));
  });

  test.prop([fc.integer({ min: 1, max: 10 ** 6 })])(
    "a collected layer cannot be referenced by a later push",
    (grace) => {
      let state = deletedImage(0);
      const now = EXAMPLE_TIME + grace;
      for (const digest of [config.digest, layer.digest])
        state = run(state, collectLayer(digest, now, grace)).state;
      expect(state.repositories.get(`${registryId}/${app}`)?.layers.size).toBe(0);
      const pushed = decide(state, at(now + 1).putImage(app, image, { tag: "again" }));
      expect(E.isLeft(pushed) && pushed.left._tag).toBe("LayersNotFoundException");
    },
  );

  test.prop([fc.boolean(), fc.integer({ min: 1, max: 10 ** 6 })])(
    "a push racing a collection: they share a stream, and whichever is decided second sees the first",
    (pushFirst, grace) => {
      const due = deletedImage(0);
      const now = EXAMPLE_TIME + grace;
      const push = at(now).putImage(app, image, { tag: "racing" });
      const collect = collectLayer(layer.digest, now, grace);
      // Same stream: at one expected version the store accepts exactly one, the other is decided again.
      expect(streamOfCommand(push)).toBe(streamOfCommand(collect));
      const [first, second] = pushFirst ? [push, collect] : [collect, push];
      const afterFirst = run(due, first);
      expect(afterFirst.events.length).toBeGreaterThan(0);
      const secondDecision = decide(afterFirst.state, second);
      const tookEffect = E.isRight(secondDecision) && secondDecision.right.length > 0;
      expect(tookEffect).toBe(false);
      if (pushFirst) expect(secondDecision).toEqual(E.right([]));
      else expect(E.isLeft(secondDecision) && secondDecision.left._tag).toBe("LayersNotFoundException");
    },
  );

  it("a blob is condemned only once no repository links it, and a retention before that keeps it", () => {
    let state = deletedImage(0);
    const now = EXAMPLE_TIME + 1000;
    const collectBlob: BerthCommand = {
      type: "CollectBlob",
      data: { digest: layer.digest, now: time(now), gracePeriod: 1000 },
    };
    expect(decide(state, collectBlob)).toEqual(E.right([])); // still a layer of `app`
    const retain: BerthCommand = {
      type: "RetainBlob",
      data: { digest: layer.digest, retentionId: "an-upload", until: time(now + 5000), now: time(now) },
    };
    expect(streamOfCommand(retain)).toBe(streamOfCommand(collectBlob));
    const retained = run(state, retain).state;
    expect(decide(retained, collectLayer(layer.digest, now, 1000))).toEqual(E.right([]));
    expect(collectableBlobs(retained, time(now + 999), 1000).map((b) => b.digest)).not.toContain(
      layer.digest,
    );

    state = run(state, collectLayer(layer.digest, now, 1000)).state;
    const condemned = run(state, collectBlob);
    expect(condemned.events).toEqual([
      { type: "BlobCollected", data: { digest: layer.digest, size: layer.size, collectedAt: now } },
    ]);
    expect(
      collectableBlobs(condemned.state, time(now), 1000).find((b) => b.digest === layer.digest)?.condemned,
    ).toBe(true);
    const forgotten = run(condemned.state, { type: "ForgetBlob", data: { digest: layer.digest } }).state;
    expect(forgotten.blobs.has(layer.digest)).toBe(false);
  });

  it("a deleted repository's layers become collectable `grace` after its deletion", () => {
    const pushed = historyFrom(registryDecider, [
      c.createRepository(app),
      c.createRepository(other),
      ...c.uploadLayer(app, config),
      ...c.uploadLayer(app, layer),
      ...c.uploadLayer(other, layer),
      c.putImage(app, image),
    ]);
    const deleted = historyFrom(
      registryDecider,
      [at(EXAMPLE_TIME + 500).deleteRepository(app, true)],
      fold(pushed),
    );
    const state = fold([...pushed, ...deleted]);
    const due = collectableBlobs(state, time(EXAMPLE_TIME + 500 + 60_000), 60_000);
    expect(due.map((b) => [b.digest, b.linkedBy]).sort()).toEqual(
      [
        [config.digest, []],
        [layer.digest, [`${registryId}/${other}`]],
      ].sort(),
    );
  });
});
