import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { UploadOffsetError, UploadUnknownError } from "@berth/engine";
import { blobInfoOf, describeBlobStoreContract, readAllBytes, storeBlob } from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectedStores } from "../support/selected-stores.js";

const temporaryDirectory = () => mkdtemp(join(tmpdir(), "berth-blobs-"));

if (selectedStores().has("filesystem")) {
  describeBlobStoreContract("filesystem", async () => {
    const directory = await temporaryDirectory();
    const store = createFilesystemBlobStore({ directory });
    return {
      store,
      async teardown() {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  });

  describe("filesystem blob store on a directory it did not write", () => {
    let directory = "";
    beforeEach(async () => {
      directory = await temporaryDirectory();
    });
    afterEach(() => rm(directory, { recursive: true, force: true }));

    it("resumes an upload after a restart, rebuilding its running hash from the file", async () => {
      const head = randomBytes(70_000);
      const tail = randomBytes(1234);
      const uploadId = randomUUID();
      const before = createFilesystemBlobStore({ directory });
      await before.createUpload(uploadId);
      await before.appendToUpload(uploadId, 0, head);
      await before.close();

      const after = createFilesystemBlobStore({ directory });
      expect(await after.uploadStatus(uploadId)).toEqual(blobInfoOf(head));
      expect(await after.createUpload(uploadId)).toEqual({ uploadId, size: head.byteLength });
      const whole = Buffer.concat([head, tail]);
      expect(await after.appendToUpload(uploadId, head.byteLength, tail)).toEqual(blobInfoOf(whole));
      expect(await after.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));

      const later = createFilesystemBlobStore({ directory });
      expect(await later.stat(blobInfoOf(whole).digest)).toEqual(blobInfoOf(whole));
      expect(
        await readAllBytes(await later.read(blobInfoOf(whole).digest, { start: 5, end: 70_100 })),
      ).toEqual(whole.subarray(5, 70_101));
    });

    it("lays blobs out by digest and leaves no upload file behind", async () => {
      const store = createFilesystemBlobStore({ directory });
      const bytes = randomBytes(10);
      const uploadId = randomUUID();
      await store.createUpload(uploadId);
      await store.appendToUpload(uploadId, 0, bytes);
      const hex = blobInfoOf(bytes).digest.slice("sha256:".length);
      await store.finishUpload(uploadId, blobInfoOf(bytes));

      expect(await readdir(join(directory, "blobs", "sha256", hex.slice(0, 2)))).toEqual([hex]);
      expect(await readdir(join(directory, "uploads"))).toEqual([]);
    });

    it("lets processes sharing the directory take turns on an upload, each catching up on the hash", async () => {
      const [a, b] = [createFilesystemBlobStore({ directory }), createFilesystemBlobStore({ directory })];
      const pieces = [randomBytes(10_000), randomBytes(20_000), randomBytes(5)];
      const uploadId = randomUUID();
      await a.createUpload(uploadId);
      await a.appendToUpload(uploadId, 0, pieces[0]!);
      expect(await b.uploadStatus(uploadId)).toEqual(blobInfoOf(pieces[0]!));
      await b.appendToUpload(uploadId, 10_000, pieces[1]!);
      // a knew 10,000 bytes: the file's length tells it b appended.
      await expect(a.appendToUpload(uploadId, 10_000, randomBytes(3))).rejects.toBeInstanceOf(
        UploadOffsetError,
      );
      await a.appendToUpload(uploadId, 30_000, pieces[2]!);
      const whole = Buffer.concat(pieces);
      expect(await b.uploadStatus(uploadId)).toEqual(blobInfoOf(whole));
      expect(await b.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));
      await expect(a.uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await readAllBytes(await a.read(blobInfoOf(whole).digest))).toEqual(whole);
    });

    // A batch is written while the next one arrives: whatever the sizes of the pieces, every batch
    // lands at its place, once, and the append resolves only when the last one is in.
    test.prop([fc.array(fc.integer({ min: 1, max: 300 * 1024 }), { minLength: 1, maxLength: 24 })], {
      numRuns: 12,
    })("writes a stream's batches in order while the next ones arrive", async (sizes) => {
      const store = createFilesystemBlobStore({ directory });
      const pieces = sizes.map((size) => randomBytes(size));
      const whole = Buffer.concat(pieces);
      const uploadId = randomUUID();
      await store.createUpload(uploadId);
      // Pieces at once, as from a socket with data waiting: each write is still in flight.
      async function* arriving() {
        yield* pieces;
      }
      expect(await store.appendToUpload(uploadId, 0, arriving())).toEqual(blobInfoOf(whole));
      expect((await stat(join(directory, "uploads", uploadId))).size).toBe(whole.byteLength);
      expect(await store.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));
      expect(Buffer.compare(await readAllBytes(await store.read(blobInfoOf(whole).digest)), whole)).toBe(0);
    });

    // A lending read fills the next chunk while the caller holds this one: whatever the range, the
    // held chunk keeps its bytes until the caller asks for the next, and every byte comes once.
    test.prop([fc.integer({ min: 1, max: 3 * 1024 * 1024 + 100 }), fc.nat(), fc.nat()], { numRuns: 10 })(
      "never reads ahead into the chunk a lending reader holds",
      async (size, a, b) => {
        const store = createFilesystemBlobStore({ directory });
        const bytes = randomBytes(size);
        const { digest } = await storeBlob(store, bytes);
        const [start, end] = [a % size, b % size].sort((x, y) => x - y) as [number, number];
        const received: Buffer[] = [];
        for await (const chunk of await store.read(digest, { start, end }, { lend: true })) {
          const copy = Buffer.from(chunk);
          await new Promise((resolve) => setTimeout(resolve, 2)); // the read ahead lands meanwhile
          expect(Buffer.compare(chunk, copy)).toBe(0);
          received.push(copy);
        }
        expect(Buffer.compare(Buffer.concat(received), bytes.subarray(start, end + 1))).toBe(0);
      },
    );

    it("closes the blob's file when a lending reader stops early, its read ahead done", async () => {
      const store = createFilesystemBlobStore({ directory });
      const bytes = randomBytes(3 * 1024 * 1024);
      const { digest } = await storeBlob(store, bytes);
      const path = join(directory, "blobs", "sha256", digest.slice(7, 9), digest.slice(7));
      const openOnBlob = () =>
        readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === path;
          } catch {
            return false; // closed meanwhile
          }
        }).length;
      for await (const chunk of await store.read(digest, undefined, { lend: true })) {
        expect(openOnBlob()).toBe(1);
        expect(Buffer.compare(chunk, bytes.subarray(0, chunk.byteLength))).toBe(0);
        break;
      }
      expect(openOnBlob()).toBe(0);
    });

    it("cuts the file back when a stream fails after some of its batches were written", async () => {
      const store = createFilesystemBlobStore({ directory });
      const head = randomBytes(1000);
      const uploadId = randomUUID();
      await store.createUpload(uploadId);
      await store.appendToUpload(uploadId, 0, head);
      const failure = new Error("client went away");
      // 64 KiB pieces, as a socket hands them over: several batches reach the file before the
      // failure, past two flushes started behind the writes (one per 8 MiB).
      const piece = randomBytes(64 * 1024);
      async function* failing() {
        for (let k = 0; k < 17 * 16; k++) yield piece;
        throw failure;
      }

      await expect(store.appendToUpload(uploadId, 1000, failing())).rejects.toBe(failure);
      expect((await stat(join(directory, "uploads", uploadId))).size).toBe(1000);
      expect(await store.uploadStatus(uploadId)).toEqual(blobInfoOf(head));
      const rest = randomBytes(9 * 1024 * 1024);
      const whole = Buffer.concat([head, rest]);
      expect(await store.appendToUpload(uploadId, 1000, rest)).toEqual(blobInfoOf(whole));
      expect(await store.finishUpload(uploadId, blobInfoOf(whole))).toEqual(blobInfoOf(whole));
    });

    it("never turns an upload id or a digest into a path outside the directory", async () => {
      const store = createFilesystemBlobStore({ directory });
      for (const uploadId of ["../escape", "..", "a/b", ""]) {
        await expect(store.createUpload(uploadId)).rejects.toThrow(/cannot name an upload/);
        await expect(store.uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError);
        await expect(store.appendToUpload(uploadId, 0, randomBytes(1))).rejects.toBeInstanceOf(
          UploadUnknownError,
        );
        await store.abortUpload(uploadId);
      }
      expect(await store.stat("sha256:../../etc/passwd")).toBeUndefined();
      await store.delete("sha256:../../etc/passwd");
    });
  });
}
