import type { SnapshotStore, StoredSnapshot } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { type MakeStore, useStoreFixture } from "./store-fixture.js";

/** Bytes that differ at every offset from another seed's. */
const bytesOf = (size: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
};

/** A loaded snapshot's bytes, read to the end whether the store answered them whole or streamed. */
const bytesOfLoaded = async (loaded: StoredSnapshot | undefined): Promise<Buffer> => {
  if (loaded === undefined) throw new Error("no snapshot loaded");
  const { state } = loaded;
  if (state instanceof Uint8Array) return Buffer.from(state);
  const chunks: Buffer[] = [];
  for await (const chunk of state) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

/** Whether `loaded` holds exactly `expected` (read to its end). */
const holds = async (loaded: StoredSnapshot | undefined, expected: Uint8Array): Promise<boolean> =>
  (await bytesOfLoaded(loaded)).equals(Buffer.from(expected));

/**
 * The SnapshotStore contract as a vitest suite: run it unchanged against every adapter. Each test
 * gets a fresh, empty store from `makeStore` (a new table schema, directory or file).
 */
export const describeSnapshotStoreContract = (name: string, makeStore: MakeStore<SnapshotStore>): void => {
  describe(`SnapshotStore contract: ${name}`, () => {
    const store = useStoreFixture(makeStore);

    it("has no snapshot until one is saved", async () => {
      expect(await store().load()).toBeUndefined();
    });

    it("loads the bytes and position saved, byte for byte", async () => {
      const state = bytesOf(1000, 1);
      await store().save(42n, state);
      const loaded = await store().load();
      expect(loaded?.position).toBe(42n);
      expect(await holds(loaded, state)).toBe(true);
    });

    it("keeps an empty snapshot and a big one (several MiB) whole", async () => {
      await store().save(1n, new Uint8Array());
      expect((await bytesOfLoaded(await store().load())).byteLength).toBe(0);
      const big = bytesOf(5 * 1024 * 1024 + 17, 2);
      await store().save(2n, big);
      const loaded = await store().load();
      expect(loaded?.position).toBe(2n);
      expect(await holds(loaded, big)).toBe(true);
    });

    it("a later snapshot replaces an earlier one; an older or equal position is dropped", async () => {
      await store().save(10n, bytesOf(100, 1));
      await store().save(20n, bytesOf(200, 2));
      await store().save(15n, bytesOf(150, 3));
      await store().save(20n, bytesOf(120, 4));
      const loaded = await store().load();
      expect(loaded?.position).toBe(20n);
      expect(await holds(loaded, bytesOf(200, 2))).toBe(true);
    });

    it("positions past 2^53 keep every digit", async () => {
      const position = 2n ** 60n + 3n;
      await store().save(position, bytesOf(10, 5));
      expect((await store().load())?.position).toBe(position);
    });

    it("a loaded snapshot is the caller's: changing it changes nothing stored", async () => {
      await store().save(7n, bytesOf(64, 6));
      const loaded = await store().load();
      if (loaded?.state instanceof Uint8Array) loaded.state.fill(0);
      else for await (const chunk of loaded?.state ?? []) chunk.fill(0);
      expect(await holds(await store().load(), bytesOf(64, 6))).toBe(true);
    });

    it("concurrent saves leave exactly the highest position's snapshot", async () => {
      await Promise.all(
        [3n, 9n, 5n, 7n].map((position) => store().save(position, bytesOf(300, Number(position)))),
      );
      const loaded = await store().load();
      expect(loaded?.position).toBe(9n);
      expect(await holds(loaded, bytesOf(300, 9))).toBe(true);
    });

    it("a streamed snapshot closed before its end releases what it held: loads go on", async () => {
      const big = bytesOf(1024 * 1024 + 5, 8);
      await store().save(11n, big);
      // More loads than a connection pool has connections: a store that leaked one per abandoned
      // stream would stall here.
      for (let n = 0; n < 30; n++) {
        const { state } = (await store().load())!;
        if (state instanceof Uint8Array) continue;
        const chunks = state[Symbol.asyncIterator]();
        await chunks.next();
        await chunks.return?.();
      }
      expect(await holds(await store().load(), big)).toBe(true);
    });
  });
};
