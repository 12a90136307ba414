/**
 * What the S3 blob store promises beyond the contract: processes sharing a bucket (two stores with
 * memories of their own stand for two processes), nothing left behind by failures, the bucket's
 * layout, presigned URLs fetched with plain HTTP, and S3's real 5 MiB smallest part.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { createS3BlobStore, S3_MIN_PART_SIZE } from "@berth/adapter-s3";
import { type BlobStore, UploadOffsetError, UploadUnknownError } from "@berth/engine";
import { blobInfoOf, readAllBytes, sha256Digest, slowStream, storeBlob } from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoS3, startMotoS3 } from "../support/moto-s3.js";
import { selectedStores } from "../support/selected-stores.js";

const BLOCK = 16 * 1024;

const keysUnder = async (s3: S3Client, bucket: string, prefix: string): Promise<string[]> => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
};

if (selectedStores().has("s3")) {
  describe("S3 blob store shared by processes", () => {
    let moto: MotoS3;
    let s3: S3Client;
    let bucket = "";
    const stores: BlobStore[] = [];
    /** A store with a memory of its own: another process, or this one after a restart. */
    const process = (blockSize = BLOCK) => {
      const store = createS3BlobStore({ client: s3, bucket, prefix: "shared/", blockSize });
      stores.push(store);
      return store;
    };

    beforeAll(async () => {
      moto = await startMotoS3({ minPartSize: BLOCK });
      s3 = moto.client();
      bucket = await moto.createBucket();
    });
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await moto?.stop();
    });

    it("takes an upload's appends from any process, catching up on the running hash", async () => {
      const [a, b, c] = [process(), process(), process()];
      const pieces = [10_000, 30_000, 1, 40_000, 5].map((length) => randomBytes(length));
      const uploadId = randomUUID();
      await a.createUpload(uploadId);
      let offset = 0;
      for (const [index, piece] of pieces.entries()) {
        const store = [a, b, c][index % 3] as BlobStore;
        offset = (await store.appendToUpload(uploadId, offset, piece)).size;
      }
      const whole = Buffer.concat(pieces);
      for (const store of [a, b, c, process()])
        expect(await store.uploadStatus(uploadId)).toEqual(blobInfoOf(whole));
      expect(await c.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));
      await expect(a.uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await readAllBytes(await b.read(sha256Digest(whole), { start: 9_999, end: 70_000 }))).toEqual(
        whole.subarray(9_999, 70_001),
      );
    });

    it("refuses a stale offset from another process, and an append that lost the race at its commit", async () => {
      const [a, b] = [process(), process()];
      const uploadId = randomUUID();
      await a.createUpload(uploadId);
      const head = randomBytes(20_000);
      await a.appendToUpload(uploadId, 0, head);
      await b.uploadStatus(uploadId); // b has seen 20,000 bytes

      // Both start at 20,000; b streams slowly, so a commits first and b is refused when it commits.
      const slow = b.appendToUpload(
        uploadId,
        20_000,
        slowStream([randomBytes(9_000), randomBytes(9_000)], 300),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const won = randomBytes(7_000);
      expect(await a.appendToUpload(uploadId, 20_000, won)).toEqual(blobInfoOf(Buffer.concat([head, won])));
      await expect(slow).rejects.toMatchObject({ expectedOffset: 27_000, actualOffset: 20_000 });
      await expect(b.appendToUpload(uploadId, 20_000, randomBytes(3))).rejects.toBeInstanceOf(
        UploadOffsetError,
      );
      expect(await b.uploadStatus(uploadId)).toEqual(blobInfoOf(Buffer.concat([head, won])));

      // The loser's blocks are gone: only the winners' remain.
      const data = await keysUnder(s3, bucket, `shared/uploads/${uploadId}/data/`);
      const attempts = new Set(data.map((key) => key.split("/").at(-2)));
      expect(attempts.size).toBe(2);
    });

    it("leaves nothing behind: a failed append, an abort, a mismatch, a finish", async () => {
      const store = process();
      const failing = randomUUID();
      await store.createUpload(failing);
      await store.appendToUpload(failing, 0, randomBytes(100));
      const broken = slowStream([randomBytes(BLOCK), randomBytes(BLOCK)], 1, new Error("client went away"));
      await expect(store.appendToUpload(failing, 100, broken)).rejects.toThrow("client went away");
      expect(await keysUnder(s3, bucket, `shared/uploads/${failing}/data/`)).toHaveLength(1);
      await store.abortUpload(failing);
      expect(await keysUnder(s3, bucket, `shared/uploads/${failing}/`)).toEqual([]);

      const bytes = randomBytes(3 * BLOCK + 5);
      const mismatched = randomUUID();
      await store.createUpload(mismatched);
      await store.appendToUpload(mismatched, 0, bytes);
      await expect(
        store.finishUpload(mismatched, blobInfoOf(randomBytes(bytes.length))),
      ).rejects.toMatchObject({
        reason: "digest",
      });
      expect(await keysUnder(s3, bucket, `shared/uploads/${mismatched}/`)).toEqual([]);
      expect(await store.stat(sha256Digest(bytes))).toBeUndefined();

      const before = await keysUnder(s3, bucket, "shared/uploads/"); // other tests' open uploads
      const info = await storeBlob(store, bytes);
      const hex = info.digest.slice("sha256:".length);
      expect(await keysUnder(s3, bucket, "shared/uploads/")).toEqual(before);
      expect(await keysUnder(s3, bucket, `shared/blobs/sha256/${hex}`)).toEqual([
        `shared/blobs/sha256/${hex}`,
      ]);
      const object = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: `shared/blobs/sha256/${hex}` }),
      );
      expect(Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()))).toEqual(bytes);
    });

    it("hands out presigned URLs that plain HTTP reads, whole and by range", async () => {
      const store = process();
      const bytes = randomBytes(2 * BLOCK + 77);
      const { digest } = await storeBlob(store, bytes);
      const url = await store.presignRead?.(digest, 60);
      expect(url).toMatch(
        new RegExp(`^${moto.endpoint}/${bucket}/shared/blobs/sha256/[0-9a-f]{64}\\?.*X-Amz-Signature=`),
      );
      const whole = await fetch(url ?? "");
      expect(whole.status).toBe(200);
      expect(sha256Digest(new Uint8Array(await whole.arrayBuffer()))).toBe(digest);
      const part = await fetch(url ?? "", { headers: { range: "bytes=100-199" } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    });
  });

  describe("S3 blob store at S3's real smallest part (5 MiB)", () => {
    let moto: MotoS3;
    beforeAll(async () => {
      moto = await startMotoS3(); // moto's default: parts but the last must be 5 MiB or more
    });
    afterAll(() => moto?.stop());

    it("finishes a 12 MiB upload sent in uneven appends as a multipart upload of 5 MiB blocks", async () => {
      const bucket = await moto.createBucket();
      const store = createS3BlobStore({ client: moto.client(), bucket, blockSize: S3_MIN_PART_SIZE });
      const pieces = [3, 4, 0.5, 4.5].map((mib) => randomBytes(mib * 1024 * 1024));
      const uploadId = randomUUID();
      await store.createUpload(uploadId);
      let offset = 0;
      for (const piece of pieces) offset = (await store.appendToUpload(uploadId, offset, piece)).size;
      const whole = Buffer.concat(pieces);
      expect(await store.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));
      const read = await readAllBytes(await store.read(sha256Digest(whole)));
      expect(sha256Digest(read)).toBe(sha256Digest(whole));
      await store.close();
    });
  });
}
