/**
 * DESIGN §3.4, referential integrity: every layer and config a stored manifest references exists in
 * its repository, and every manifest an index references exists; so an image an index references
 * cannot be deleted (ImageReferencedByManifestList). Checked after every step of random histories.
 */

import {
  type BerthCommand,
  type DeleteImages,
  imageTags,
  planImageDeletion,
  type RegistryState,
  type RepositoryState,
  repositoryKey,
  tagCount,
} from "@berth/core";
import { EXAMPLE_TIME, registryDecider, registryScenarioArb, runCommands } from "@berth/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const strict = (commands: BerthCommand[]) =>
  commands.filter((command) => command.type !== "PutRegistrySettings");

const counts = (digests: Iterable<string>) => {
  const out = new Map<string, number>();
  for (const digest of digests) out.set(digest, (out.get(digest) ?? 0) + 1);
  return out;
};

const sameCounts = (actual: ReadonlyMap<string, number>, expected: Map<string, number>) =>
  actual.size === expected.size && [...expected].every(([digest, n]) => actual.get(digest) === n);

/** What is wrong with a repository's references (nothing, when the invariant holds). */
const referenceProblems = (repository: RepositoryState, strictly: boolean): string[] => {
  const problems: string[] = [];
  const images = [...repository.images.values()];
  if (strictly) {
    for (const image of images) {
      for (const blob of image.blobs)
        if (!repository.layers.has(blob)) problems.push(`${image.digest} needs blob ${blob}`);
      for (const child of image.children ?? [])
        if (!repository.images.has(child)) problems.push(`${image.digest} needs ${child}`);
    }
  }
  // The reference counts the state keeps equal what its images reference.
  if (!sameCounts(repository.blobReferences, counts(images.flatMap((image) => [...image.blobs])))) {
    problems.push(`blobReferences ${JSON.stringify([...repository.blobReferences])} are off`);
  }
  if (
    !sameCounts(repository.childReferences, counts(images.flatMap((image) => [...(image.children ?? [])])))
  ) {
    problems.push(`childReferences ${JSON.stringify([...repository.childReferences])} are off`);
  }
  // The referrers index holds exactly the images that name a subject, under that subject.
  const referrers = new Map<string, Set<string>>();
  for (const image of images) {
    if (image.subject === undefined) continue;
    referrers.set(image.subject, (referrers.get(image.subject) ?? new Set()).add(image.digest));
  }
  const held = [...repository.referrers].map(([subject, digests]) => [subject, [...digests].sort()]);
  const expected = [...referrers].map(([subject, digests]) => [subject, [...digests].sort()]);
  if (JSON.stringify(held.sort()) !== JSON.stringify(expected.sort())) {
    problems.push(`referrers ${JSON.stringify(held)} should be ${JSON.stringify(expected)}`);
  }
  return problems;
};

/**
 * What is wrong with the global blob index: each entry counts the references of every repository's
 * images, is linked by exactly the repositories that hold it as a layer, and has `idleSince`
 * exactly while nothing references it (the only time collection reads it).
 */
const blobIndexProblems = (state: RegistryState): string[] => {
  const problems: string[] = [];
  const references = new Map<string, number>();
  const linkers = new Map<string, string[]>();
  for (const repository of state.repositories.values()) {
    for (const [digest, n] of repository.blobReferences)
      references.set(digest, (references.get(digest) ?? 0) + n);
    const key = repositoryKey(repository.registryId, repository.name);
    for (const digest of repository.layers.keys()) linkers.set(digest, [...(linkers.get(digest) ?? []), key]);
  }
  for (const [digest, entry] of state.blobs) {
    if (entry.digest !== digest) problems.push(`entry ${digest} names ${entry.digest}`);
    if (entry.references !== (references.get(digest) ?? 0))
      problems.push(`${digest}: ${entry.references} references, images hold ${references.get(digest) ?? 0}`);
    if (JSON.stringify([...entry.linkedBy].sort()) !== JSON.stringify((linkers.get(digest) ?? []).sort()))
      problems.push(`${digest} linked by ${entry.linkedBy}, layers of ${linkers.get(digest)}`);
    if ((entry.idleSince === undefined) !== entry.references > 0)
      problems.push(`${digest}: idleSince ${entry.idleSince} with ${entry.references} references`);
  }
  for (const digest of new Set([...references.keys(), ...linkers.keys()]))
    if (!state.blobs.has(digest as never)) problems.push(`${digest} is referenced or linked, not indexed`);
  return problems;
};

const scenarioArb = registryScenarioArb({
  maxSteps: 40,
  maxRepositories: 2,
  maxImages: 4,
  maxIndexes: 2,
  maxReferrers: 2,
});

describe("Referential integrity", () => {
  it("every blob and child a stored manifest references exists in its repository, after every step", () => {
    fc.assert(
      fc.property(scenarioArb, ({ commands }) => {
        const problems: string[] = [];
        runCommands(registryDecider, strict(commands), undefined, ({ after, command }) => {
          for (const repository of after.repositories.values()) {
            for (const problem of referenceProblems(repository, true))
              problems.push(`after ${command.type}: ${problem}`);
          }
          for (const problem of blobIndexProblems(after)) problems.push(`after ${command.type}: ${problem}`);
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 45 },
    );
  });

  it("an image an index references cannot be deleted, by digest or by its last tag", () => {
    fc.assert(
      fc.property(scenarioArb, ({ commands, pools }) => {
        const { state } = runCommands(registryDecider, strict(commands));
        for (const repository of state.repositories.values()) {
          const referenced = new Set(
            [...repository.images.values()].flatMap((image) => [...(image.children ?? [])]),
          );
          for (const digest of referenced) {
            const image = repository.images.get(digest);
            const ids = [
              { imageDigest: digest },
              ...(image !== undefined && tagCount(image) === 1 ? [{ imageTag: imageTags(image)[0]! }] : []),
            ];
            for (const imageId of ids) {
              const command: DeleteImages = {
                type: "DeleteImages",
                data: {
                  registryId: pools.registryId,
                  repositoryName: repository.name,
                  imageIds: [imageId],
                  deletedAt: EXAMPLE_TIME,
                },
              };
              const plan = planImageDeletion(repository, command);
              expect(plan.failures.map((f) => f.failureCode)).toEqual(["ImageReferencedByManifestList"]);
              expect(plan.events).toEqual([]);
            }
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it("reference counts stay exact in lenient registries too", () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ commands, pools }, lenientFirst) => {
        const lenient: BerthCommand = {
          type: "PutRegistrySettings",
          data: { registryId: pools.registryId, lenient: true },
        };
        const problems: string[] = [];
        runCommands(
          registryDecider,
          lenientFirst ? [lenient, ...commands] : commands,
          undefined,
          ({ after }) => {
            for (const repository of after.repositories.values())
              problems.push(...referenceProblems(repository, false));
            problems.push(...blobIndexProblems(after));
          },
        );
        expect(problems).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
