/**
 * Large blobs for the streaming suites, never held whole by the client: a deterministic generator
 * (each MiB different), pushed as one streamed PATCH (as docker does) and pulled as a stream that is
 * hashed on the way.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { bytesOf, MiB, type OciClient } from "./oci-client.js";

/** `size` bytes in chunks of at most 1 MiB; chunk i is a fixed random MiB stamped with i. */
export function* blobChunks(size: number, seed = 1): Generator<Uint8Array> {
  const base = bytesOf(MiB, seed);
  for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
    const chunk = base.slice(0, Math.min(MiB, size - offset));
    new DataView(chunk.buffer).setUint32(0, Math.min(i, 0xffffffff), true);
    yield chunk;
  }
}

/** The sha256 of blobChunks(size, seed), computed without keeping it. */
export function blobDigest(size: number, seed = 1): string {
  const hash = createHash("sha256");
  for (const chunk of blobChunks(size, seed)) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

const streamOf = (chunks: Iterator<Uint8Array>) =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
  });

/** POST, one streamed PATCH without Content-Range, PUT ?digest=; returns the digest computed on the way. */
export async function pushStreamed(client: OciClient, name: string, size: number, seed = 1): Promise<string> {
  const started = await client.request(`/v2/${name}/blobs/uploads/`, { method: "POST" });
  expect(started.status, await started.clone().text()).toBe(202);
  const location = new URL(started.headers.get("location")!, client.endpoint);
  const hash = createHash("sha256");
  const source = blobChunks(size, seed);
  const hashing: Iterator<Uint8Array> = {
    next: () => {
      const next = source.next();
      if (next.done !== true) hash.update(next.value);
      return next;
    },
  };
  const patched = await client.request(location.toString(), {
    method: "PATCH",
    headers: { "content-type": "application/octet-stream" },
    body: streamOf(hashing),
    duplex: "half",
  } as RequestInit);
  expect(patched.status, await patched.clone().text()).toBe(202);
  expect(patched.headers.get("range")).toBe(`0-${size - 1}`);
  const digest = `sha256:${hash.digest("hex")}`;
  const closing = new URL(patched.headers.get("location")!, client.endpoint);
  closing.searchParams.set("digest", digest);
  const put = await client.request(closing.toString(), { method: "PUT" });
  expect(put.status, await put.clone().text()).toBe(201);
  return digest;
}

/** GET the blob as a stream, hashing and counting; returns both. */
export async function pullStreamed(
  client: OciClient,
  name: string,
  digest: string,
  headers: Record<string, string> = {},
): Promise<{ digest: string; size: number; status: number }> {
  const response = await client.request(`/v2/${name}/blobs/${digest}`, { headers });
  const hash = createHash("sha256");
  let size = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    size += value.length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size, status: response.status };
}
