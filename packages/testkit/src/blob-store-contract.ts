import type { BlobStore } from "@berth/engine";
import { describe } from "vitest";
import { describeBlobFinishCases } from "./blob-store-finish-cases.js";
import { describeBlobReadCases } from "./blob-store-read-cases.js";
import { describeBlobUploadCases } from "./blob-store-upload-cases.js";
import { type MakeStore, useStoreFixture } from "./store-fixture.js";

/**
 * The BlobStore contract as a vitest suite: run it unchanged against every adapter. `makeStore` is
 * called before each test; stores may share one database, as cases use fresh upload ids and bytes.
 */
export const describeBlobStoreContract = (name: string, makeStore: MakeStore<BlobStore>): void => {
  describe(`BlobStore contract: ${name}`, () => {
    const store = useStoreFixture(makeStore);
    describeBlobUploadCases(store);
    describeBlobFinishCases(store);
    describeBlobReadCases(store);
  });
};
