/**
 * DESIGN §3.8, pagination: for any page size, concatenated pages give the full result exactly once,
 * in order (ListImages, DescribeImages with every tag status, DescribeRepositories); tokens stay
 * valid while images are deleted between pages; a token the core did not make is refused.
 * Expected answers come from the reference model, fed the same commands.
 */

import {
  type BerthCommand,
  type Digest,
  describeImages,
  describeRepositories,
  listImages,
  type QueryContext,
  RegistryId,
  type RegistryState,
  type TagStatus,
} from "@berth/core";
import {
  branded,
  CONVENTIONAL_STYLE,
  foldWith,
  historyFrom,
  imageManifestOf,
  layerBlobOf,
  ReferenceRegistry,
  registryCommands,
  registryDecider,
  repositoryNameArb,
  runCommands,
} from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, ref, registryId } from "./example-registry.js";

const context: QueryContext = { region: "eu-west-1", registryHost: () => "localhost:5000" };

const config = layerBlobOf('{"os":"linux"}');
const TAGS = Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? `v${i}` : `tag-${i}`));
const manifests = new Map<number, ReturnType<typeof imageManifestOf>>();
/** The n-th image: same config, told apart by an annotation. */
const manifestNumber = (n: number) => {
  let draft = manifests.get(n);
  if (draft === undefined) {
    draft = imageManifestOf(config, [], {
      style: { ...CONVENTIONAL_STYLE, space: 0, annotations: { n: String(n) } },
    });
    manifests.set(n, draft);
  }
  return draft;
};

/** Images with a few tags each (tags move when reused), then some deletions by tag or digest. */
const repositoryHistoryArb = fc
  .record({
    images: fc.array(fc.uniqueArray(fc.nat({ max: TAGS.length - 1 }), { maxLength: 3 }), { maxLength: 45 }),
    deletions: fc.array(
      fc.oneof(
        fc.nat({ max: 60 }).map((n) => ({ imageDigest: manifestNumber(n).digest })),
        fc.nat({ max: TAGS.length - 1 }).map((t) => ({ imageTag: TAGS[t]! })),
      ),
      { maxLength: 15 },
    ),
  })
  .map(({ images, deletions }) => {
    const commands: BerthCommand[] = [c.createRepository(app), ...c.uploadLayer(app, config)];
    images.forEach((tags, n) => {
      const manifest = manifestNumber(n);
      commands.push(c.putImage(app, manifest, tags.length === 0 ? {} : { tag: TAGS[tags[0]!]! }));
      for (const t of tags.slice(1)) commands.push(c.putImage(app, manifest, { tag: TAGS[t]! }));
    });
    for (const id of deletions) commands.push(c.deleteImages(app, [id]));
    return { commands, manifests: images.map((_, n) => manifestNumber(n)) };
  });

/** The core's state and the reference model after the same commands, having checked they agree on each. */
const play = ({
  commands,
  manifests,
}: {
  commands: BerthCommand[];
  manifests: ReturnType<typeof manifestNumber>[];
}) => {
  const model = new ReferenceRegistry(registryId, [
    ...manifests,
    ...Array.from({ length: 61 }, (_, n) => manifestNumber(n)),
  ]);
  const run = runCommands(registryDecider, commands);
  run.decided.forEach(({ command, decision }) => {
    const expected = model.execute(command);
    expect(decision._tag === "Right", `${command.type}: ${JSON.stringify(decision)}`).toBe(expected.ok);
  });
  return { state: run.state, model };
};

const maxResultsArb = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 30 }),
  fc.integer({ min: 1, max: 1000 }),
);
const tagStatusArb = fc.constantFrom<TagStatus | undefined>("TAGGED", "UNTAGGED", "ANY", undefined);

interface Page<T> {
  readonly items: ReadonlyArray<T>;
  readonly nextToken?: string | undefined;
}

/** Every page, checking that each holds at most `maxResults` and that only the last lacks a token. */
const allPages = <T>(
  maxResults: number,
  fetch: (nextToken: string | undefined) => E.Either<unknown, Page<T>>,
): T[] => {
  const items: T[] = [];
  let token: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 2000) throw new Error("pagination does not end");
    const page = fetch(token);
    if (E.isLeft(page)) throw new Error(`page refused: ${JSON.stringify(page.left)}`);
    expect(page.right.items.length).toBeLessThanOrEqual(maxResults);
    if (page.right.nextToken !== undefined) expect(page.right.items.length).toBeGreaterThan(0);
    items.push(...page.right.items);
    token = page.right.nextToken;
    if (token === undefined) return items;
  }
};

const listAll = (state: RegistryState, maxResults: number, tagStatus: TagStatus | undefined) =>
  allPages(maxResults, (nextToken) =>
    E.map((r: { imageIds: ReadonlyArray<unknown>; nextToken?: string }) => ({
      items: r.imageIds,
      nextToken: r.nextToken,
    }))(
      listImages(state, {
        ...ref,
        maxResults,
        ...(nextToken === undefined ? {} : { nextToken }),
        ...(tagStatus === undefined ? {} : { filter: { tagStatus } }),
      }),
    ),
  );

const describeAll = (state: RegistryState, maxResults: number, tagStatus: TagStatus | undefined) =>
  allPages(maxResults, (nextToken) =>
    E.map((r: { imageDetails: ReadonlyArray<unknown>; nextToken?: string }) => ({
      items: r.imageDetails,
      nextToken: r.nextToken,
    }))(
      describeImages(state, {
        ...ref,
        maxResults,
        ...(nextToken === undefined ? {} : { nextToken }),
        ...(tagStatus === undefined ? {} : { filter: { tagStatus } }),
      }),
    ),
  );

describe("ListImages and DescribeImages pages", () => {
  it("concatenate to the full answer, each result exactly once, in push order", () => {
    fc.assert(
      fc.property(repositoryHistoryArb, maxResultsArb, tagStatusArb, (history, maxResults, tagStatus) => {
        const { state, model } = play(history);
        const listed = listAll(state, maxResults, tagStatus);
        expect(listed).toEqual(model.listImages(app, tagStatus));
        expect(new Set(listed.map((id) => JSON.stringify(id))).size).toBe(listed.length);
        const described = describeAll(state, maxResults, tagStatus);
        expect(described).toEqual(model.describeImages(app, tagStatus));
      }),
      { numRuns: 60 },
    );
  });

  it("stay valid while images are deleted between pages: every survivor once, nothing twice", () => {
    fc.assert(
      fc.property(
        repositoryHistoryArb,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 20 }),
        (history, maxResults, victims) => {
          const { state: initial, model } = play(history);
          const before = model.describeImages(app).map((d) => d.imageDigest);
          let state = initial;
          const seen: string[] = [];
          const seenIds: string[] = [];
          const deleted = new Set<string>();
          let token: string | undefined;
          let describeDone = false;
          let listToken: string | undefined;
          let listDone = false;
          const pending = [...victims];
          for (let pages = 0; pages < 500; pages++) {
            if (!describeDone) {
              const page = describeImages(state, {
                ...ref,
                maxResults,
                ...(token === undefined ? {} : { nextToken: token }),
              });
              if (E.isLeft(page)) throw new Error(page.left.message);
              seen.push(...page.right.imageDetails.map((d) => d.imageDigest));
              token = page.right.nextToken;
              describeDone = token === undefined;
            }
            if (!listDone) {
              const listPage = listImages(state, {
                ...ref,
                maxResults,
                ...(listToken === undefined ? {} : { nextToken: listToken }),
              });
              if (E.isLeft(listPage)) throw new Error(listPage.left.message);
              seenIds.push(...listPage.right.imageIds.map((id) => `${id.imageDigest}:${id.imageTag ?? ""}`));
              listToken = listPage.right.nextToken;
              listDone = listToken === undefined;
            }
            if (describeDone && listDone) break;
            // Delete an image by digest between pages (never the one a ListImages token points into:
            // its offset counts that image's tags).
            const victim = pending.shift();
            if (victim !== undefined) {
              const digest = manifestNumber(victim).digest;
              const lastListed = seenIds.at(-1)?.split(":").slice(0, 2).join(":");
              if (digest !== lastListed) {
                const decision = registryDecider.decide(
                  state,
                  c.deleteImages(app, [{ imageDigest: digest }]),
                );
                if (E.isRight(decision) && decision.right.length > 0) {
                  state = foldWith(registryDecider, decision.right, state);
                  deleted.add(digest);
                }
              }
            }
          }
          expect(describeDone && listDone).toBe(true);
          expect(new Set(seen).size).toBe(seen.length);
          expect(new Set(seenIds).size).toBe(seenIds.length);
          const survivors = before.filter((digest) => !deleted.has(digest));
          for (const digest of survivors) expect(seen).toContain(digest);
          for (const digest of seen) expect(before).toContain(digest);
          const survivingIds = model
            .listImages(app)
            .filter((id) => !deleted.has(id.imageDigest))
            .map((id) => `${id.imageDigest}:${id.imageTag ?? ""}`);
          for (const id of survivingIds) expect(seenIds).toContain(id);
        },
      ),
      {
        numRuns: 40,
      },
    );
  });

  it("stay valid when deletions compact the push order, before and between pages", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 170 }),
        fc.uniqueArray(fc.nat({ max: 99 }), { minLength: 74, maxLength: 100 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 4 }),
        (count, victims, maxResults, perPage) => {
          const commands: BerthCommand[] = [c.createRepository(app), ...c.uploadLayer(app, config)];
          for (let n = 0; n < count; n++)
            commands.push(c.putImage(app, manifestNumber(n), n % 3 === 0 ? { tag: `t${n}` } : {}));
          // Enough deletions up front (64 and more) that the push order compacts in most runs.
          const before = victims.slice(0, victims.length - 10);
          const during = victims.slice(before.length);
          for (const n of before)
            commands.push(c.deleteImages(app, [{ imageDigest: manifestNumber(n).digest }]));
          let state = foldWith(registryDecider, runCommands(registryDecider, commands).events);
          const alive = () => new Set([...(state.repositories.values().next().value?.images.keys() ?? [])]);
          const atStart = alive();
          const deleted = new Set<string>();
          const seen: Digest[] = [];
          let token: string | undefined;
          do {
            const page = describeImages(state, {
              ...ref,
              maxResults,
              ...(token === undefined ? {} : { nextToken: token }),
            });
            if (E.isLeft(page)) throw new Error(page.left.message);
            seen.push(...page.right.imageDetails.map((d) => d.imageDigest));
            token = page.right.nextToken;
            for (const n of during.splice(0, perPage)) {
              const decision = registryDecider.decide(
                state,
                c.deleteImages(app, [{ imageDigest: manifestNumber(n).digest }]),
              );
              if (E.isRight(decision) && decision.right.length > 0) {
                state = foldWith(registryDecider, decision.right, state);
                deleted.add(manifestNumber(n).digest);
              }
            }
          } while (token !== undefined);
          expect(new Set(seen).size).toBe(seen.length);
          for (const digest of atStart) if (!deleted.has(digest)) expect(seen).toContain(digest);
          for (const digest of seen) expect(atStart.has(digest)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("refuse a token the core did not make with InvalidParameterException", () => {
    fc.assert(
      fc.property(repositoryHistoryArb, fc.string({ maxLength: 30 }), (history, token) => {
        fc.pre(!/^img1\.[0-9]+\.[0-9]+$/.test(token));
        const { state } = play(history);
        for (const answer of [
          listImages(state, { ...ref, nextToken: token }),
          describeImages(state, { ...ref, nextToken: token }),
        ]) {
          expect(answer).toEqual(E.left(expect.objectContaining({ _tag: "InvalidParameterException" })));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("page through an image with more than 10,000 tags", () => {
    const image = manifestNumber(0);
    const commands: BerthCommand[] = [
      c.createRepository(app),
      ...c.uploadLayer(app, config),
      c.putImage(app, image),
    ];
    for (let i = 0; i < 10_001; i++) commands.push(c.putImage(app, image, { tag: `t${i}` }));
    const state = foldWith(registryDecider, historyFrom(registryDecider, commands));
    expect(listAll(state, 1000, undefined)).toHaveLength(10_001);
  });
});

describe("DescribeRepositories pages", () => {
  const namesArb = fc.uniqueArray(repositoryNameArb({ maxLength: 30 }), { maxLength: 25 });

  it("concatenate to every repository of the registry, by name, each once", () => {
    fc.assert(
      fc.property(
        namesArb,
        fc.array(fc.boolean(), { maxLength: 25 }),
        maxResultsArb,
        (names, deleted, maxResults) => {
          const gone = names.filter((_, i) => deleted[i] === true);
          const other = registryCommands(branded(RegistryId, "000000000000"));
          const state = foldWith(
            registryDecider,
            historyFrom(registryDecider, [
              ...names.map((name) => c.createRepository(name)),
              ...names.slice(0, 3).map((name) => other.createRepository(name)),
              ...gone.map((name) => c.deleteRepository(name)),
            ]),
          );
          const listed = allPages(maxResults, (nextToken) =>
            E.map((r: { repositories: ReadonlyArray<{ repositoryName: string }>; nextToken?: string }) => ({
              items: r.repositories.map((repository) => repository.repositoryName),
              nextToken: r.nextToken,
            }))(
              describeRepositories(state, context, {
                registryId,
                maxResults,
                ...(nextToken === undefined ? {} : { nextToken }),
              }),
            ),
          );
          expect(listed).toEqual(names.filter((name) => !gone.includes(name)).sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuse a token the core did not make", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (token) => {
        fc.pre(!token.startsWith("repo1.") || token.length < 8);
        expect(
          describeRepositories(foldWith(registryDecider, []), context, { registryId, nextToken: token }),
        ).toEqual(E.left(expect.objectContaining({ _tag: "InvalidParameterException" })));
      }),
      { numRuns: 50 },
    );
  });
});
