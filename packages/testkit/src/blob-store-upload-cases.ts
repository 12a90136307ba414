import { randomBytes, randomUUID } from "node:crypto";
import { type BlobStore, UploadOffsetError, UploadUnknownError } from "@berth/engine";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { blobInfoOf, fingerprint, slowStream, splitAt, uploadOf } from "./blob-helpers.js";
import { readAllBytes } from "./read-all-bytes.js";
import { sha256Digest } from "./sha256-digest.js";

/** Appends: hashed while written, streamed, and refused anywhere but at the current size. */
const appendCases = (store: () => BlobStore): void => {
  it("starts empty", async () => {
    const uploadId = randomUUID();
    expect(await store().createUpload(uploadId)).toEqual({ uploadId, size: 0 });
    expect(await store().uploadStatus(uploadId)).toEqual({ size: 0, digest: sha256Digest(new Uint8Array()) });
  });

  test.prop([fc.uint8Array({ maxLength: 48 * 1024 }), fc.array(fc.nat(), { maxLength: 12 })], {
    numRuns: 20,
  })("hashes while writing: any split of the bytes gives the digest of the whole", async (bytes, cuts) => {
    const uploadId = randomUUID();
    await store().createUpload(uploadId);
    let offset = 0;
    for (const piece of splitAt(bytes, cuts)) {
      const result = await store().appendToUpload(uploadId, offset, piece);
      offset += piece.byteLength;
      expect(result).toEqual({ size: offset, digest: sha256Digest(bytes.subarray(0, offset)) });
    }
    expect(await store().uploadStatus(uploadId)).toEqual({
      size: bytes.byteLength,
      digest: sha256Digest(bytes),
    });
    expect(await store().finishUpload(uploadId, blobInfoOf(bytes))).toEqual(blobInfoOf(bytes));
    expect(fingerprint(await readAllBytes(await store().read(sha256Digest(bytes))))).toEqual(
      fingerprint(bytes),
    );
  });

  it("streams an append from an async iterable", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const uploadId = randomUUID();
    await store().createUpload(uploadId);
    const pieces = splitAt(bytes, [1, 1, 5, 70_000, 64 * 1024, 2 * 1024 * 1024]);

    expect(await store().appendToUpload(uploadId, 0, slowStream(pieces, 0))).toEqual(blobInfoOf(bytes));
    expect(await store().finishUpload(uploadId, blobInfoOf(bytes))).toEqual(blobInfoOf(bytes));
    expect(fingerprint(await readAllBytes(await store().read(sha256Digest(bytes))))).toEqual(
      fingerprint(bytes),
    );
  });

  it("refuses an append at any offset but the current size, and changes nothing", async () => {
    const bytes = randomBytes(1000);
    const uploadId = await uploadOf(store(), bytes);
    const before = await store().uploadStatus(uploadId);

    for (const offset of [0, 999, 1001, 5000]) {
      const refused = store().appendToUpload(uploadId, offset, randomBytes(10));
      await expect(refused).rejects.toBeInstanceOf(UploadOffsetError);
      await expect(refused).rejects.toMatchObject({ uploadId, expectedOffset: 1000, actualOffset: offset });
      expect(await store().uploadStatus(uploadId)).toEqual(before);
    }
    const more = randomBytes(10);
    expect(await store().appendToUpload(uploadId, 1000, more)).toEqual(
      blobInfoOf(Buffer.concat([bytes, more])),
    );
  });

  it("keeps the previous size when the stream fails midway", async () => {
    const bytes = randomBytes(500);
    const uploadId = await uploadOf(store(), bytes);
    const before = await store().uploadStatus(uploadId);
    const failure = new Error("client went away");

    await expect(
      store().appendToUpload(uploadId, 500, slowStream([randomBytes(300), randomBytes(300)], 1, failure)),
    ).rejects.toBe(failure);
    expect(await store().uploadStatus(uploadId)).toEqual(before);
    const rest = randomBytes(20);
    expect(await store().appendToUpload(uploadId, 500, rest)).toEqual(
      blobInfoOf(Buffer.concat([bytes, rest])),
    );
  });

  it("of two concurrent appends at the same offset, accepts exactly one", async () => {
    for (const start of [0, 100]) {
      const head = randomBytes(start);
      const uploadId = await uploadOf(store(), head);
      const contenders = [randomBytes(2000), randomBytes(3000)];
      const outcomes = await Promise.allSettled(
        contenders.map((bytes) =>
          store().appendToUpload(uploadId, start, slowStream(splitAt(bytes, [500, 1000]), 5)),
        ),
      );

      const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((outcome) => outcome.status === "rejected");
      expect(loser?.reason).toBeInstanceOf(UploadOffsetError);
      const winner = contenders[winners[0] ?? 0] ?? new Uint8Array();
      expect(await store().uploadStatus(uploadId)).toEqual(blobInfoOf(Buffer.concat([head, winner])));
    }
  });
};

/** Uploads a store does not hold, or no longer holds. */
const unknownUploadCases = (store: () => BlobStore): void => {
  it("reports unknown uploads", async () => {
    const uploadId = randomUUID();
    await expect(store().uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
    await expect(store().appendToUpload(uploadId, 0, randomBytes(4))).rejects.toBeInstanceOf(
      UploadUnknownError,
    );
    await expect(store().finishUpload(uploadId, blobInfoOf(new Uint8Array()))).rejects.toBeInstanceOf(
      UploadUnknownError,
    );
  });

  it("aborts an upload: its bytes are gone and its id unknown; aborting again is harmless", async () => {
    const bytes = randomBytes(2000);
    const uploadId = await uploadOf(store(), bytes);
    await store().abortUpload(uploadId);

    await expect(store().uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
    await expect(store().appendToUpload(uploadId, 2000, randomBytes(4))).rejects.toBeInstanceOf(
      UploadUnknownError,
    );
    expect(await store().stat(sha256Digest(bytes))).toBeUndefined();
    await store().abortUpload(uploadId);
    await store().abortUpload(randomUUID());
  });
};

export const describeBlobUploadCases = (store: () => BlobStore): void => {
  describe("uploads", () => {
    appendCases(store);
    unknownUploadCases(store);
  });
};
