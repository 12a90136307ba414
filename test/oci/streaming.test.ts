/**
 * A large blob through /v2, streamed both ways and never held whole by the client: one PATCH whose
 * body comes from a generator, a closing PUT ?digest=, then a streamed GET hashed on the way, and
 * ranged reads across the blob store's chunk boundaries. 256 MiB on memory storage by default
 * (BERTH_BLOB_MIB changes it) and a smaller blob on PostgreSQL, which stores 1 MiB chunks.
 *
 * Peak server memory for 1 GiB is measured by test/oci/measure-streaming-rss.mjs, in a server
 * process of its own (not a test: it needs the built server).
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import { bodyBytes, MiB, type OciClient, ociClient } from "../support/oci-client.js";
import { blobChunks, blobDigest, pullStreamed, pushStreamed } from "../support/oci-stream.js";

const MEMORY_MIB = Number(process.env.BERTH_BLOB_MIB ?? 256);
const POSTGRES_MIB = Number(process.env.BERTH_PG_BLOB_MIB ?? 48);

/** The bytes [start, end] of blobChunks(size, seed), regenerated. */
const sliceOf = (size: number, seed: number, start: number, end: number): Buffer => {
  const parts: Buffer[] = [];
  let offset = 0;
  for (const chunk of blobChunks(size, seed)) {
    const from = Math.max(start, offset);
    const to = Math.min(end + 1, offset + chunk.length);
    if (from < to) parts.push(Buffer.from(chunk.subarray(from - offset, to - offset)));
    offset += chunk.length;
    if (offset > end) break;
  }
  return Buffer.concat(parts);
};

describe.each([
  ["memory", MEMORY_MIB],
  ["postgres", POSTGRES_MIB],
] as ReadonlyArray<readonly [BerthStorage, number]>)(
  "a large blob streamed through /v2 on %s storage (%d MiB)",
  (storage, mib) => {
    // An odd size: not a whole number of MiB (nor of the store's chunks).
    const size = mib * MiB + 12_345;
    const seed = mib;
    // Generous for a loaded machine, and scaled for BERTH_BLOB_MIB runs; nothing asserts speed.
    const timeout = Math.max(60_000, mib * 250);
    let berth: RunningBerth;
    let v2: OciClient;
    let digest: string;

    beforeAll(async () => {
      // PostgreSQL with its blobs in bytea rows (--blobs postgres): the chunked store this reads across.
      berth = await startBerth({
        storage,
        createOnPush: true,
        ...(storage === "postgres" ? { blobs: "postgres" } : {}),
      });
      v2 = ociClient(berth.endpoint);
    });
    afterAll(async () => {
      await berth?.stop();
    });

    it("pushes with one streamed PATCH and closes with PUT ?digest=", { timeout }, async () => {
      digest = await pushStreamed(v2, "stream/big", size, seed);
      expect(digest).toBe(blobDigest(size, seed));
      const head = await v2.request(`/v2/stream/big/blobs/${digest}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(size));
    });

    it("pulls it back as a stream with the same digest and size", { timeout }, async () => {
      const pulled = await pullStreamed(v2, "stream/big", digest);
      expect(pulled).toEqual({ digest, size, status: 200 });
    });

    it("serves ranges across chunk boundaries, and the tail", async () => {
      for (const [start, end] of [
        [MiB - 7, MiB + 6],
        [3 * MiB - 1, 3 * MiB],
        [size - 12_345 - 1, size - 1],
        [0, 2 * MiB + 100],
      ] as const) {
        const response = await v2.request(`/v2/stream/big/blobs/${digest}`, {
          headers: { range: `bytes=${start}-${end}` },
        });
        expect(response.status).toBe(206);
        expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
        const body = await bodyBytes(response);
        expect(body.length).toBe(end - start + 1);
        expect(createHash("sha256").update(body).digest("hex")).toBe(
          createHash("sha256")
            .update(sliceOf(size, seed, start, end))
            .digest("hex"),
        );
      }
      const resumed = await pullStreamed(v2, "stream/big", digest, { range: `bytes=${size - 5 * MiB}-` });
      expect(resumed.status).toBe(206);
      expect(resumed.size).toBe(5 * MiB);
    });

    it("a cross-repository mount of it reads back the same", async () => {
      const mounted = await v2.request(`/v2/stream/mounted/blobs/uploads/?mount=${digest}&from=stream/big`, {
        method: "POST",
      });
      expect(mounted.status).toBe(201);
      const tail = await pullStreamed(v2, "stream/mounted", digest, { range: `bytes=${size - MiB}-` });
      expect(tail).toMatchObject({ status: 206, size: MiB });
    });
  },
);
