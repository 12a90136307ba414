/**
 * A snapshot's bytes are inflated, hashed and decoded as one stream, a chunk at a time: a line
 * crosses chunks anywhere (inside a character of several bytes too), and the state comes back
 * exactly whatever the chunk size; a snapshot changed after its hash was taken is refused by it.
 */
import { createMemoryEventStore } from "@berth/adapter-memory";
import type { RegistryId, RepositoryName } from "@berth/core";
import { CommandHandler, decodeSnapshotBytes, encodeSnapshotBytes } from "@berth/engine";
import { registryCommands, registryScenarioArb } from "@berth/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const REGISTRY = "000000000000" as RegistryId;
const NAMED = "snapshot/unicode" as RepositoryName;

/** Characters of one to four bytes in UTF-8, in a policy and in tags the state keeps. */
const WIDE = "aé€😀";
const policy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: `s${WIDE.repeat(40)}`, Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:*"] }],
});

/** A handler whose state has wide characters and whatever a sampled scenario made. */
const handlerWithState = async () => {
  const handler = new CommandHandler(createMemoryEventStore());
  const c = registryCommands(REGISTRY);
  const [scenario] = fc.sample(registryScenarioArb({ maxSteps: 30, maxRepositories: 2 }), {
    numRuns: 1,
    seed: 5,
  });
  for (const command of [
    c.createRepository(NAMED),
    c.setRepositoryPolicy(NAMED, policy),
    c.tagResource(NAMED, [{ Key: "team", Value: WIDE.repeat(20) }]),
    ...(scenario?.commands ?? []),
  ]) {
    await handler.execute(command);
  }
  return handler;
};

describe("Snapshot bytes", () => {
  it("decode(encode(state)) is the state, whatever size the inflated chunks are", async () => {
    const handler = await handlerWithState();
    const snapshot = handler.capture();
    expect(JSON.stringify([...snapshot.state.repositories.values()].map((r) => r.policyText))).toContain(
      WIDE,
    );
    const { bytes } = await encodeSnapshotBytes(snapshot);
    for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1000, 1024 * 1024]) {
      const decoded = await decodeSnapshotBytes(bytes, { chunkBytes });
      expect(decoded._tag, `chunks of ${chunkBytes} bytes`).toBe("Right");
      if (decoded._tag === "Left") continue;
      expect(decoded.right.projection.state).toStrictEqual(snapshot.state);
      expect(decoded.right.versions).toStrictEqual(snapshot.versions);
      expect(decoded.right.position).toBe(snapshot.position);
    }
  });

  it("decodes the stored bytes as they arrive, cut anywhere, and closes a stream it stops reading", async () => {
    const handler = await handlerWithState();
    const snapshot = handler.capture();
    const { bytes } = await encodeSnapshotBytes(snapshot);
    /** `stored` in pieces of `size` bytes, noting whether it was read to its end or closed. */
    const streamed = (stored: Uint8Array, size: number) => {
      const seen = { ended: false, closed: false };
      async function* pieces() {
        try {
          for (let at = 0; at < stored.byteLength; at += size) yield stored.subarray(at, at + size);
          seen.ended = true;
        } finally {
          seen.closed = !seen.ended;
        }
      }
      return { state: pieces(), seen };
    };
    for (const size of [1, 3, 100, 4096, bytes.byteLength]) {
      const { state, seen } = streamed(bytes, size);
      const decoded = await decodeSnapshotBytes(state);
      expect(decoded._tag, `stored pieces of ${size} bytes`).toBe("Right");
      if (decoded._tag === "Right") expect(decoded.right.projection.state).toStrictEqual(snapshot.state);
      expect(seen.ended).toBe(true);
    }
    // Refused at its envelope: the rest is never read, and the stream is closed.
    const { state, seen } = streamed(Buffer.concat([Buffer.from("{}\n"), bytes]), 64);
    expect(await decodeSnapshotBytes(state)).toEqual({
      _tag: "Left",
      left: "corrupt: its sha256 does not match",
    });
    expect(seen).toEqual({ ended: false, closed: true });
  });

  it("refuses a body that does not inflate, or whose text does not hash to the envelope's sha256", async () => {
    const handler = await handlerWithState();
    const { bytes } = await encodeSnapshotBytes(handler.capture());
    const text = Buffer.from(bytes);
    const newline = text.indexOf(0x0a);
    const envelope = JSON.parse(text.toString("utf8", 0, newline)) as { sha256: string };
    const resealed = (sha256: string) =>
      Buffer.concat([
        Buffer.from(`${JSON.stringify({ ...envelope, sha256 })}\n`),
        text.subarray(newline + 1),
      ]);
    expect(await decodeSnapshotBytes(resealed("0".repeat(64)))).toEqual({
      _tag: "Left",
      left: "corrupt: its sha256 does not match",
    });
    expect(await decodeSnapshotBytes(text.subarray(0, text.byteLength - 100))).toEqual({
      _tag: "Left",
      left: "corrupt: its body does not inflate",
    });
    expect(await decodeSnapshotBytes(Buffer.from("no envelope"))).toEqual({
      _tag: "Left",
      left: "not a snapshot: no envelope",
    });
  });
});
