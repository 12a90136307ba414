/**
 * Snapshots of the folded state (snapshots/): decoding what was encoded gives back the state exactly,
 * folding on from a restored state equals folding everything, and a snapshot of another format or
 * schema, a truncated or corrupt one, is refused rather than trusted.
 */
import {
  type BerthEvent,
  DigestsRead,
  DigestsWritten,
  decodeStateSnapshot,
  decodeValue,
  encodeStateSnapshot,
  encodeValue,
  fold,
  type RestoredSnapshot,
  Shapes,
  SNAPSHOT_FORMAT_VERSION,
  type StateSnapshot,
  snapshotSchema,
} from "@berth/core";
import { registryDecider, registryScenarioArb, runCommands } from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

/** The events of a random history, and a cut somewhere in them. */
const eventsArb = registryScenarioArb({ maxSteps: 40, maxRepositories: 2, maxIndexes: 2 }).chain(
  ({ commands }) => {
    const { events } = runCommands(registryDecider, commands);
    return fc.record({ events: fc.constant(events), cut: fc.nat({ max: events.length }) });
  },
);

const linesOf = (snapshot: StateSnapshot): string[] =>
  [...encodeStateSnapshot(snapshot)].join("").split("\n").slice(0, -1);

const restore = (lines: Iterable<string>): RestoredSnapshot => {
  const decoded = decodeStateSnapshot(lines);
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return decoded.right;
};

const snapshotOf = (events: ReadonlyArray<BerthEvent>): StateSnapshot => ({
  position: BigInt(events.length),
  versions: new Map([
    ["repository-000000000000-a", events.length + 1],
    ["upload-x", 2],
  ]),
  state: fold(events),
});

describe("State snapshots", () => {
  it("decode(encode(fold(events))) is fold(events), with its position and stream versions", () => {
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        const snapshot = snapshotOf(events);
        const restored = restore(linesOf(snapshot));
        expect(restored.projection.state).toStrictEqual(snapshot.state);
        expect(restored.position).toBe(snapshot.position);
        expect(restored.versions).toStrictEqual(snapshot.versions);
      }),
      { numRuns: 40 },
    );
  });

  it("folding on from a restored snapshot equals folding every event", () => {
    fc.assert(
      fc.property(eventsArb, ({ events, cut }) => {
        const restored = restore(linesOf(snapshotOf(events.slice(0, cut))));
        for (const event of events.slice(cut)) restored.projection.apply(event);
        expect(restored.projection.state).toStrictEqual(fold(events));
      }),
      { numRuns: 40 },
    );
  });

  it("big maps and arrays inside an entry (a repository's images, its push order) span many lines", () => {
    const n = 1234;
    const ref = { registryId: "000000000000", repositoryName: "big" };
    const events = [
      {
        type: "RepositoryCreated",
        data: {
          ...ref,
          createdAt: 1,
          imageTagMutability: "MUTABLE",
          imageTagMutabilityExclusionFilters: [],
          scanOnPush: false,
          encryptionType: "AES256",
          tags: [],
        },
      },
      ...Array.from({ length: n }, (_, i) => ({
        type: "ImagePushed",
        data: {
          ...ref,
          imageDigest: `sha256:${i}`,
          imageManifest: `{"n":${i}}`,
          imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
          imageTag: `t${i}`,
          imageSizeInBytes: i,
          blobs: [`sha256:blob-${i % 7}`],
          children: [],
          pushedAt: 1000 + i,
        },
      })),
    ] as never as BerthEvent[];
    const state = fold(events);
    const lines = linesOf({ position: 7n, versions: new Map(), state });
    expect(lines.length).toBeGreaterThan(3 * (n / 200));
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(64_000);
    expect(restore(lines).projection.state).toStrictEqual(state);
    // The shell never aliases the state it was taken from.
    expect(state.repositories.get("000000000000/big")?.pushOrder.seqs).toHaveLength(n);
  });

  it("a restored state shares what a fold can share: one empty list, a repository's own linker list", () => {
    type State = RestoredSnapshot["projection"]["state"];
    /** Distinct empty lists the images hold (a fold holds one, NO_DIGESTS). */
    const emptyLists = (state: State) => {
      const empties = new Set<unknown>();
      for (const repository of state.repositories.values())
        for (const image of repository.images.values())
          for (const list of [image.blobs, image.children]) if (list?.length === 0) empties.add(list);
      return empties.size;
    };
    /** Blobs with one linker whose list is not that repository's `soleLinker`. */
    const unsharedLinkers = (state: State) =>
      [...state.blobs.values()].filter(
        (blob) =>
          blob.linkedBy.length === 1 &&
          blob.linkedBy !== state.repositories.get(blob.linkedBy[0]!)?.soleLinker,
      ).length;
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        const state = fold(events);
        const restored = restore(linesOf({ position: 1n, versions: new Map(), state })).projection.state;
        expect(emptyLists(restored)).toBeLessThanOrEqual(1);
        expect(unsharedLinkers(restored)).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it("a state of a shape the core does not fold is refused, not trusted", () => {
    const repository = { images: new Map([["sha256:1", { seq: 1 }]]), name: "odd" };
    const state = { ...fold([]), repositories: new Map([["000000000000/odd", repository]]) } as never;
    const decoded = decodeStateSnapshot(linesOf({ position: 1n, versions: new Map(), state }));
    expect(E.isLeft(decoded)).toBe(true);
  });

  it("values round-trip exactly: maps, sets, undefined members, odd numbers, `$` keys", () => {
    const value = {
      map: new Map<unknown, unknown>([
        ["a", new Set(["x", "y"])],
        [1, { $: "m", v: [1] }],
      ]),
      missing: undefined,
      numbers: [0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      nested: [[null, true, "é\u2028"]],
    };
    const decoded = decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));
    expect(decoded).toStrictEqual(value);
    expect(Object.is((decoded as typeof value).numbers[1], -0)).toBe(true);
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(decodeValue(JSON.parse(JSON.stringify(encodeValue(json))))).toStrictEqual(json);
        // With shapes, objects become records (arrays led by a negative number): arrays of the
        // value that start with one must still read back as arrays.
        const shapes = new Shapes();
        const encoded = JSON.parse(JSON.stringify(encodeValue(json, shapes)));
        expect(decodeValue(encoded, shapes.list)).toStrictEqual(json);
      }),
    );
    const shapes = new Shapes();
    const records = [{ a: -1, b: [-2, 3] }, [-1, { c: undefined }], [[-3]], []];
    const text = JSON.stringify(encodeValue(records, shapes));
    expect(decodeValue(JSON.parse(text), shapes.list)).toStrictEqual(records);
  });

  it("a digest is written once, later ones as references; strings that look like references stay strings", () => {
    const digestArb = fc
      .tuple(fc.constantFrom("sha256:", "sha512:"), fc.stringMatching(/^[0-9a-f]{8}$/))
      .map(([algorithm, seed]) => `${algorithm}${seed.repeat(algorithm === "sha256:" ? 8 : 16)}`);
    const valueArb = fc.array(
      fc.oneof(
        digestArb,
        fc.string().map((text) => `~${text}`),
        fc
          .record({ digest: digestArb, tags: fc.array(digestArb, { maxLength: 3 }) })
          .map(({ digest, tags }) => ({ digest, tags })),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 4 }), (values) => {
        const written = new DigestsWritten();
        // One encoder across several values (lines), as a snapshot uses it; read back in order.
        const texts = values.map((value) => JSON.stringify(encodeValue(value, undefined, written)));
        const read = new DigestsRead();
        expect(texts.map((text) => decodeValue(JSON.parse(text), undefined, read))).toStrictEqual(values);
        const distinct = new Set(
          values.flat(2).flatMap((v) => (typeof v === "string" ? [v] : [v.digest, ...v.tags])),
        );
        const spelled = texts.join("").match(/sha(256|512):[0-9a-f]+/g) ?? [];
        expect(spelled.length).toBe([...distinct].filter((v) => v.startsWith("sha")).length);
      }),
    );
    expect(() =>
      decodeValue(JSON.parse(JSON.stringify("~0000000000")), undefined, new DigestsRead()),
    ).toThrow("a reference to no digest");
    expect(() => decodeValue("~0000000000")).toThrow("a digest reference outside a snapshot");
  });

  it("refuses a snapshot of another format version or event schema, never trusting it", () => {
    const lines = linesOf(snapshotOf([]));
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    const withHeader = (change: Record<string, unknown>) =>
      decodeStateSnapshot([JSON.stringify({ ...header, ...change }), ...lines.slice(1)]);
    expect(E.isRight(withHeader({}))).toBe(true);
    expect(withHeader({ version: SNAPSHOT_FORMAT_VERSION + 1 })).toStrictEqual(
      E.left(`format version ${SNAPSHOT_FORMAT_VERSION + 1}, not ${SNAPSHOT_FORMAT_VERSION}`),
    );
    expect(withHeader({ schema: "0:00000000" })).toStrictEqual(
      E.left(`folded with schema 0:00000000, not ${snapshotSchema()}`),
    );
    expect(E.isLeft(withHeader({ format: "something-else" }))).toBe(true);
    expect(E.isLeft(withHeader({ position: "-1" }))).toBe(true);
  });

  it("refuses a truncated, padded or corrupt snapshot", () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), fc.string({ minLength: 1 }), ({ events }, at, garbage) => {
        const lines = linesOf(snapshotOf(events));
        const cut = at % lines.length;
        expect(E.isLeft(decodeStateSnapshot(lines.slice(0, cut)))).toBe(true);
        expect(E.isLeft(decodeStateSnapshot([...lines, lines.at(-1)!]))).toBe(true);
        const corrupt = [...lines];
        corrupt[cut] = `${corrupt[cut]!.slice(0, corrupt[cut]!.length - 1)}${garbage}`;
        // A corrupt line either fails to decode, or (when the garbage happens to close the line's
        // JSON the same way) decodes to exactly the same snapshot: never to another state.
        const decoded = decodeStateSnapshot(corrupt);
        if (E.isRight(decoded))
          expect(decoded.right.projection.state).toStrictEqual(restore(lines).projection.state);
      }),
      { numRuns: 25 },
    );
  });
});
