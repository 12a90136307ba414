import type { EventStore } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { testStreams } from "./event-log-helpers.js";

/** The store's readImageManifest; a store without it skips these cases (the method is optional). */
const lookup = (store: EventStore) => {
  const method = store.readImageManifest;
  if (method === undefined) throw new Error("readImageManifest is not implemented");
  return method.bind(store);
};

const pushed = (imageDigest: string, imageManifest: string, extra: object = {}) => ({
  type: "ImagePushed",
  data: { registryId: "000000000000", repositoryName: "r", imageDigest, imageManifest, ...extra },
});

/** Text a JSON column might normalize: escapes, non-ASCII, spacing, key order, and a long run. */
const awkwardManifest = [
  '{\n   "schemaVersion" : 2,\t"z": "\\u00e9 é ✓ 🚢 \\"quoted\\" \\\\ back",',
  ` "a": "${"x".repeat(200_000)}" }\r\n`,
].join("");

export const describeManifestCases = (store: () => EventStore): void => {
  describe("readImageManifest (optional)", () => {
    it("answers the manifest of the stream's last ImagePushed of the digest, and nothing else", async (context) => {
      if (store().readImageManifest === undefined) return context.skip();
      const streams = testStreams();
      const [one, other] = [streams.name("one"), streams.name("other")];
      await store().appendToStream(one, [pushed("sha256:a", "first a"), pushed("sha256:b", "b")]);
      await store().appendToStream(other, [pushed("sha256:a", "a of the other stream")]);
      await store().appendToStream(one, [
        { type: "ImageTagged", data: { imageDigest: "sha256:a", imageManifest: "not a push" } },
        pushed("sha256:a", "a pushed again"),
      ]);

      expect(await lookup(store())(one, "sha256:a")).toBe("a pushed again");
      expect(await lookup(store())(one, "sha256:b")).toBe("b");
      expect(await lookup(store())(other, "sha256:a")).toBe("a of the other stream");
      expect(await lookup(store())(other, "sha256:b")).toBeUndefined();
      expect(await lookup(store())(streams.name("none"), "sha256:a")).toBeUndefined();
    });

    it("hands the text back exactly as appended", async (context) => {
      if (store().readImageManifest === undefined) return context.skip();
      const stream = testStreams().name("exact");
      await store().appendToStream(stream, [pushed("sha256:exact", awkwardManifest, { imageTag: "t" })]);
      const text = await lookup(store())(stream, "sha256:exact");
      expect(text?.length).toBe(awkwardManifest.length);
      expect(text === awkwardManifest).toBe(true);
    });
  });
};
