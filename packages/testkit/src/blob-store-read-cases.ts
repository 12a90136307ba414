import { randomBytes } from "node:crypto";
import { type BlobStore, BlobUnknownError } from "@berth/engine";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { blobInfoOf, fingerprint, storeBlob } from "./blob-helpers.js";
import { readAllBytes } from "./read-all-bytes.js";
import { sha256Digest } from "./sha256-digest.js";

/** A blob of 1..40 KiB and ranges inside it. */
const blobWithRanges = fc.integer({ min: 1, max: 40 * 1024 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    ranges: fc.array(
      fc
        .tuple(fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: size - 1 }))
        .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) })),
      { minLength: 1, maxLength: 6 },
    ),
  }),
);

export const describeBlobReadCases = (store: () => BlobStore): void => {
  describe("stat, read and delete", () => {
    it("answers stat with the digest and size, and undefined for an unknown blob", async () => {
      const bytes = randomBytes(777);
      await storeBlob(store(), bytes);
      expect(await store().stat(sha256Digest(bytes))).toEqual(blobInfoOf(bytes));
      expect(await store().stat(sha256Digest(randomBytes(8)))).toBeUndefined();
    });

    test.prop([blobWithRanges], { numRuns: 20 })(
      "reads any inclusive range as that slice",
      async ({ size, ranges }) => {
        const bytes = randomBytes(size);
        const { digest } = await storeBlob(store(), bytes);
        expect(fingerprint(await readAllBytes(await store().read(digest)))).toEqual(fingerprint(bytes));
        for (const range of ranges) {
          expect(fingerprint(await readAllBytes(await store().read(digest, range)))).toEqual(
            fingerprint(bytes.subarray(range.start, range.end + 1)),
          );
        }
      },
    );

    it("reads the same bytes when asked to lend its chunks (the caller copies each before the next)", async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 12_345); // several 1 MiB reads, buffers in turn
      const { digest } = await storeBlob(store(), bytes);
      const lend = { lend: true };
      expect(fingerprint(await readAllBytes(await store().read(digest, undefined, lend)))).toEqual(
        fingerprint(bytes),
      );
      for (const range of [
        { start: 0, end: 0 },
        { start: 1024 * 1024 - 3, end: 2 * 1024 * 1024 + 5 },
        { start: 5, end: bytes.byteLength - 1 },
      ]) {
        expect(fingerprint(await readAllBytes(await store().read(digest, range, lend)))).toEqual(
          fingerprint(bytes.subarray(range.start, range.end + 1)),
        );
      }
      await expect(store().read(sha256Digest(randomBytes(8)), undefined, lend)).rejects.toBeInstanceOf(
        BlobUnknownError,
      );
    });

    it("refuses a range outside the blob with a RangeError", async () => {
      const { digest } = await storeBlob(store(), randomBytes(100));
      for (const range of [
        { start: 0, end: 100 },
        { start: 50, end: 49 },
        { start: -1, end: 10 },
      ]) {
        await expect(store().read(digest, range)).rejects.toBeInstanceOf(RangeError);
      }
    });

    it("reports an unknown blob when reading", async () => {
      await expect(store().read(sha256Digest(randomBytes(8)))).rejects.toBeInstanceOf(BlobUnknownError);
    });

    it("deletes a blob; deleting an unknown one is harmless; the bytes can be stored again", async () => {
      const bytes = randomBytes(3000);
      const info = await storeBlob(store(), bytes);
      await store().delete(info.digest);

      expect(await store().stat(info.digest)).toBeUndefined();
      await expect(store().read(info.digest)).rejects.toBeInstanceOf(BlobUnknownError);
      await store().delete(info.digest);
      expect(await storeBlob(store(), bytes)).toEqual(info);
      expect(fingerprint(await readAllBytes(await store().read(info.digest)))).toEqual(fingerprint(bytes));
    });
  });
};
