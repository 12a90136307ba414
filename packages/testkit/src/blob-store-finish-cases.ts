import { randomBytes, randomUUID } from "node:crypto";
import { BlobMismatchError, type BlobStore, UploadUnknownError } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { blobInfoOf, fingerprint, storeBlob, uploadOf } from "./blob-helpers.js";
import { readAllBytes } from "./read-all-bytes.js";
import { sha256Digest } from "./sha256-digest.js";

export const describeBlobFinishCases = (store: () => BlobStore): void => {
  describe("finishUpload", () => {
    it("refuses a wrong size, then discards the upload", async () => {
      const bytes = randomBytes(100);
      const uploadId = await uploadOf(store(), bytes);
      const claimed = { digest: sha256Digest(bytes), size: 101 };

      const finishing = store().finishUpload(uploadId, claimed);
      await expect(finishing).rejects.toBeInstanceOf(BlobMismatchError);
      await expect(finishing).rejects.toMatchObject({
        uploadId,
        reason: "size",
        expected: "101",
        actual: "100",
      });
      await expect(store().uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await store().stat(sha256Digest(bytes))).toBeUndefined();
    });

    it("refuses a wrong digest, then discards the upload", async () => {
      const bytes = randomBytes(100);
      const uploadId = await uploadOf(store(), bytes);
      const claimed = blobInfoOf(randomBytes(100));

      const finishing = store().finishUpload(uploadId, claimed);
      await expect(finishing).rejects.toBeInstanceOf(BlobMismatchError);
      await expect(finishing).rejects.toMatchObject({
        uploadId,
        reason: "digest",
        expected: claimed.digest,
        actual: sha256Digest(bytes),
      });
      await expect(store().uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await store().stat(sha256Digest(bytes))).toBeUndefined();
      expect(await store().stat(claimed.digest)).toBeUndefined();
    });

    it("checks the size before the digest", async () => {
      const uploadId = await uploadOf(store(), randomBytes(10));
      await expect(store().finishUpload(uploadId, blobInfoOf(randomBytes(11)))).rejects.toMatchObject({
        reason: "size",
      });
    });

    it("is idempotent for a blob that already exists, and removes the upload", async () => {
      const bytes = randomBytes(5000);
      const info = await storeBlob(store(), bytes);
      const again = await uploadOf(store(), bytes);

      expect(await store().finishUpload(again, info)).toEqual(info);
      await expect(store().uploadStatus(again)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await store().stat(info.digest)).toEqual(info);
      expect(fingerprint(await readAllBytes(await store().read(info.digest)))).toEqual(fingerprint(bytes));
    });

    it("stores the empty blob", async () => {
      const empty = new Uint8Array();
      const uploadId = randomUUID();
      await store().createUpload(uploadId);

      expect(await store().finishUpload(uploadId, blobInfoOf(empty))).toEqual(blobInfoOf(empty));
      expect(await store().stat(sha256Digest(empty))).toEqual(blobInfoOf(empty));
      expect(await readAllBytes(await store().read(sha256Digest(empty)))).toEqual(Buffer.alloc(0));
    });
  });
};
