/**
 * DESIGN §3.3: a tag names at most one image per repository, and in an IMMUTABLE repository (or for
 * a tag the exclusion filters make immutable) a tag never moves. Checked after every step of random
 * histories, and for the wildcard filters against the reference model's own matcher.
 */

import {
  type BerthCommand,
  hasTag,
  ImageTag,
  imageTags,
  isTagImmutable,
  manifestDigest,
  type RegistryState,
  type RepositoryState,
} from "@berth/core";
import {
  branded,
  CONVENTIONAL_STYLE,
  EXCLUSION_FILTER_POOL,
  foldWith,
  historyFrom,
  imageManifestOf,
  imageTagArb,
  layerBlobOf,
  registryDecider,
  registryScenarioArb,
  runCommands,
  TAG_POOL,
  tagIsImmutable,
  tagMutabilityArb,
  wildcardMatches,
} from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c } from "./example-registry.js";

/** Every tag names exactly one existing image, and `repository.tags` and `image.tags` are inverses. */
const expectTagsConsistent = (repository: RepositoryState) => {
  for (const [tag, digest] of repository.tags) {
    const image = repository.images.get(digest);
    expect(image, `tag ${tag} names a missing image`).toBeDefined();
    expect(image && hasTag(image, tag), `image ${digest} does not know its tag ${tag}`).toBe(true);
  }
  let tagCount = 0;
  for (const image of repository.images.values()) {
    for (const tag of imageTags(image))
      expect(repository.tags.get(tag), `tag ${tag} of ${image.digest}`).toBe(image.digest);
    tagCount += imageTags(image).length;
  }
  expect(tagCount).toBe(repository.tags.size);
};

const frozen = (repository: RepositoryState, tag: string) =>
  tagIsImmutable(
    repository.imageTagMutability,
    repository.imageTagMutabilityExclusionFilters.map((f) => f.filter),
    tag,
  );

/** Checks, for one step, that immutable tags did not move and that mutable ones moved as asked. */
const checkStep = ({
  before,
  after,
  command,
  decision,
}: {
  before: RegistryState;
  after: RegistryState;
  command: BerthCommand;
  decision: { _tag: "Left" | "Right" };
}) => {
  for (const repository of after.repositories.values()) expectTagsConsistent(repository);
  for (const [key, previous] of before.repositories) {
    const next = after.repositories.get(key);
    if (next === undefined) continue;
    for (const [tag, digest] of previous.tags) {
      const now = next.tags.get(tag);
      if (now !== undefined && frozen(previous, tag)) expect(now, `immutable tag ${tag} moved`).toBe(digest);
    }
  }
  if (command.type !== "PutImage" || command.data.imageTag === undefined) return;
  const repository = [...before.repositories.values()].find(
    (r) => r.registryId === command.data.registryId && r.name === command.data.repositoryName,
  );
  if (repository === undefined) return;
  const tag = command.data.imageTag;
  const digest = manifestDigest(command.data.imageManifest);
  const holder = repository.tags.get(tag);
  const digestGivenWrong = command.data.imageDigest !== undefined && command.data.imageDigest !== digest;
  if (holder === undefined || holder === digest || digestGivenWrong) return;
  if (frozen(repository, tag)) {
    const answer = registryDecider.decide(before, command);
    expect(answer).toEqual(E.left(expect.objectContaining({ _tag: "ImageTagAlreadyExistsException" })));
  } else if (decision._tag === "Right") {
    const next = after.repositories.get(`${repository.registryId}/${repository.name}`);
    expect(next?.tags.get(tag)).toBe(digest);
    // The image the tag left is still there, without it.
    expect(hasTag(next!.images.get(holder)!, tag)).toBe(false);
  }
};

describe("Tags", () => {
  it("name exactly one image, move only where mutable, and leave the image they leave in place", () => {
    fc.assert(
      fc.property(registryScenarioArb({ maxSteps: 40, maxRepositories: 2, maxTags: 3 }), ({ commands }) => {
        runCommands(registryDecider, commands, undefined, checkStep);
      }),
      { numRuns: 50 },
    );
  });
});

describe("Tag mutability with exclusion filters", () => {
  const filterArb = fc.oneof(
    fc.constantFrom(...EXCLUSION_FILTER_POOL),
    fc.string({ unit: fc.constantFrom(..."ab1.-_*"), minLength: 1, maxLength: 6 }),
  );
  const tagArb = fc.oneof(
    fc.constantFrom(...TAG_POOL).map((tag) => branded(ImageTag, tag)),
    imageTagArb(),
    fc
      .string({ unit: fc.constantFrom(..."ab1.-_"), minLength: 1, maxLength: 6 })
      .map((tag) => branded(ImageTag, tag)),
  );

  it("freeze exactly the tags the reference wildcard matcher says", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION" as const),
        fc.uniqueArray(filterArb, { minLength: 1, maxLength: 3 }),
        tagArb,
        (mutability, filters, tag) => {
          const core = isTagImmutable(
            mutability,
            filters.map((filter) => ({ filterType: "WILDCARD" as const, filter })),
            tag,
          );
          const excluded = filters.some((filter) => wildcardMatches(filter, tag));
          expect(core).toBe(mutability === "IMMUTABLE_WITH_EXCLUSION" ? !excluded : excluded);
        },
      ),
      {
        numRuns: 300,
      },
    );
  });

  const config = layerBlobOf("{}");
  const first = imageManifestOf(config, [], { format: "docker" });
  const second = imageManifestOf(config, []);
  const third = imageManifestOf(config, [], { style: { ...CONVENTIONAL_STYLE, space: 0 } });

  it("let PutImage move a tag iff it is mutable under the repository's setting", () => {
    fc.assert(
      fc.property(tagMutabilityArb(), tagArb, (setting, tag) => {
        const state = foldWith(
          registryDecider,
          historyFrom(registryDecider, [
            c.createRepository(app, setting),
            ...c.uploadLayer(app, config),
            c.putImage(app, first, { tag }),
            c.putImage(app, second),
          ]),
        );
        const immutable = tagIsImmutable(
          setting.imageTagMutability,
          (setting.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter),
          tag,
        );
        // The tag moving to an image already there (ImageTagged), and to a new image (ImagePushed).
        for (const command of [c.putImage(app, second, { tag }), c.putImage(app, third, { tag })]) {
          const decision = registryDecider.decide(state, command);
          if (immutable) {
            expect(decision).toEqual(
              E.left(expect.objectContaining({ _tag: "ImageTagAlreadyExistsException" })),
            );
          } else {
            expect(E.isRight(decision)).toBe(true);
          }
        }
      }),
      { numRuns: 120 },
    );
  });
});
