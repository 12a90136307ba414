import { createMemoryBlobStore } from "@berth/adapter-memory";
import { createPostgresBlobStore } from "@berth/adapter-postgres";
import { createS3BlobStore, S3_MIN_PART_SIZE } from "@berth/adapter-s3";
import { describeBlobStoreContract } from "@berth/testkit";
import { afterAll, beforeAll } from "vitest";
import { type MotoS3, startMotoS3 } from "../support/moto-s3.js";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";

const stores = selectedStores();

if (stores.has("memory")) {
  describeBlobStoreContract("memory", async () => ({ store: createMemoryBlobStore() }));
}

if (stores.has("postgres")) {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());
  // Small rows, so that modest test blobs span many of them.
  describeBlobStoreContract("postgres (16 KiB rows)", async () => {
    const { db, schema } = await postgres.get();
    const store = createPostgresBlobStore({ db, schema, chunkSize: 16 * 1024 });
    return { store, teardown: () => store.close() };
  });
}

if (stores.has("s3")) {
  // Small blocks on a moto that allows small parts, so that the cases' modest blobs span many blocks
  // and finish as multipart uploads; and S3's real smallest part, on a moto that enforces it.
  for (const blockSize of [16 * 1024, S3_MIN_PART_SIZE]) {
    let moto: MotoS3 | undefined;
    let bucket = "";
    beforeAll(async () => {
      moto = await startMotoS3(blockSize < S3_MIN_PART_SIZE ? { minPartSize: blockSize } : {});
      bucket = await moto.createBucket();
    });
    afterAll(() => moto?.stop());
    describeBlobStoreContract(`s3 on moto (${blockSize / 1024} KiB blocks)`, async () => {
      if (moto === undefined) throw new Error("moto_server did not start");
      const store = createS3BlobStore({ client: moto.client(), bucket, prefix: "contract", blockSize });
      return { store, teardown: () => store.close() };
    });
  }
}
