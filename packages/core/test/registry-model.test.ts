/**
 * Model-based test (fc.commands / fc.modelRun): random sequences of registry operations run against
 * the real core (decide, then a projection) and against the reference model of one registry; after
 * every operation both must have answered alike (accepted, or refused with the same exception) and
 * must answer ListImages, DescribeImages, DescribeRepositories and BatchCheckLayerAvailability alike.
 */

import {
  type BerthCommand,
  type BerthEvent,
  batchCheckLayerAvailability,
  createProjection,
  type Decision,
  type DeleteImages,
  decide,
  describeImages,
  describeRepositories,
  findRepository,
  fold,
  type ImageIdentifier,
  listImages,
  listReferrers,
  type Projection,
  planImageDeletion,
  type QueryContext,
  type RepositoryName,
  type UploadRules,
} from "@berth/core";
import {
  ReferenceRegistry,
  type RegistryPools,
  registryCommands,
  registryPoolsArb,
  type TagMutabilitySetting,
  tagMutabilityArb,
  uploadIdFrom,
} from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

interface Model {
  readonly pools: RegistryPools;
  readonly reference: ReferenceRegistry;
  readonly pageSize: number;
  uploads: number;
}

interface Real {
  readonly projection: Projection;
  readonly log: BerthEvent[];
}

const context: QueryContext = { region: "eu-west-1", registryHost: () => "localhost:5000" };
const pick = <T>(items: ReadonlyArray<T>, index: number): T => items[index % items.length]!;
const outcomeOf = (decision: Decision) => (E.isLeft(decision) ? decision.left._tag : "accepted");

/** Decides `command` on both sides, checks they agree, and applies what the core decided. */
const execute = (m: Model, r: Real, command: BerthCommand): Decision => {
  const expected = m.reference.execute(command);
  const decision = decide(r.projection.state, command);
  expect(outcomeOf(decision), `${command.type} ${JSON.stringify(command.data).slice(0, 300)}`).toBe(
    expected.ok ? "accepted" : expected.error,
  );
  if (!expected.ok && expected.lastValidByteReceived !== undefined && E.isLeft(decision)) {
    expect(decision.left).toMatchObject({ lastValidByteReceived: expected.lastValidByteReceived });
  }
  if (E.isRight(decision)) {
    for (const event of decision.right) r.projection.apply(event);
    r.log.push(...decision.right);
  }
  return decision;
};

const pages = <T>(
  fetch: (
    token: string | undefined,
  ) => E.Either<unknown, { items: ReadonlyArray<T>; nextToken?: string | undefined }>,
) => {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = fetch(token);
    if (E.isLeft(page)) throw new Error(JSON.stringify(page.left));
    items.push(...page.right.items);
    token = page.right.nextToken;
  } while (token !== undefined);
  return items;
};

/** Both sides answer the read queries alike. */
const compareQueries = (m: Model, r: Real) => {
  const state = r.projection.state;
  const { registryId } = m.pools;
  const repositories = describeRepositories(state, context, { registryId, maxResults: 1000 });
  expect(
    E.map((a: { repositories: ReadonlyArray<{ repositoryName: string }> }) =>
      a.repositories.map((x) => x.repositoryName),
    )(repositories),
  ).toEqual(E.right(m.reference.repositoryNames()));
  expect(state.uploads.size).toBe(m.reference.uploads.size);
  for (const repositoryName of m.reference.repositoryNames()) {
    const ref = { registryId, repositoryName, maxResults: m.pageSize };
    const listed = pages((nextToken) =>
      E.map((a: { imageIds: ReadonlyArray<unknown>; nextToken?: string }) => ({
        items: a.imageIds,
        nextToken: a.nextToken,
      }))(listImages(state, { ...ref, ...(nextToken === undefined ? {} : { nextToken }) })),
    );
    expect(listed, `ListImages ${repositoryName}`).toEqual(m.reference.listImages(repositoryName));
    const described = pages((nextToken) =>
      E.map((a: { imageDetails: ReadonlyArray<unknown>; nextToken?: string }) => ({
        items: a.imageDetails,
        nextToken: a.nextToken,
      }))(describeImages(state, { ...ref, ...(nextToken === undefined ? {} : { nextToken }) })),
    );
    expect(described, `DescribeImages ${repositoryName}`).toEqual(m.reference.describeImages(repositoryName));
    for (const subject of new Set(
      m.pools.manifests.flatMap((draft) => (draft.subject === undefined ? [] : [draft.subject])),
    )) {
      const referrers = listReferrers(state, { registryId, repositoryName, digest: subject });
      expect(
        E.map((a: ReadonlyArray<{ digest: string }>) => a.map((d) => d.digest))(referrers),
        `referrers of ${subject}`,
      ).toEqual(E.right(m.reference.referrers(repositoryName, subject)));
    }
    const layers = batchCheckLayerAvailability(state, {
      registryId,
      repositoryName,
      layerDigests: m.pools.blobs.map((blob) => blob.digest),
    });
    const held = m.reference.repositories.get(repositoryName)?.layers ?? new Map();
    expect(
      E.map((a: { layers: ReadonlyArray<{ layerDigest: string; layerSize: number }> }) =>
        a.layers.map((l) => [l.layerDigest, l.layerSize]),
      )(layers),
    ).toEqual(
      E.right(m.pools.blobs.filter((blob) => held.has(blob.digest)).map((blob) => [blob.digest, blob.size])),
    );
  }
};

abstract class RegistryOperation implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    this.apply(m, r, registryCommands(m.pools.registryId));
    compareQueries(m, r);
  }
  protected name(m: Model, index: number): RepositoryName {
    return pick(m.pools.repositoryNames, index);
  }
  abstract apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>): void;
  abstract toString(): string;
}

class CreateRepository extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly setting: Partial<TagMutabilitySetting>,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    execute(m, r, c.createRepository(this.name(m, this.repository), this.setting));
  }
  toString() {
    return `CreateRepository(#${this.repository}, ${JSON.stringify(this.setting)})`;
  }
}

class DeleteRepository extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly force: boolean | undefined,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    execute(m, r, c.deleteRepository(this.name(m, this.repository), this.force));
  }
  toString() {
    return `DeleteRepository(#${this.repository}, force: ${this.force})`;
  }
}

class PutImageTagMutability extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly setting: TagMutabilitySetting,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    execute(m, r, c.putImageTagMutability(this.name(m, this.repository), this.setting));
  }
  toString() {
    return `PutImageTagMutability(#${this.repository}, ${JSON.stringify(this.setting)})`;
  }
}

/** A whole upload: initiate, parts (maybe one out of place), complete (maybe with a wrong digest). */
class UploadLayer extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly blob: number,
    readonly cuts: ReadonlyArray<number>,
    readonly misplacedPartBefore: number | undefined,
    readonly declareWrongDigest: boolean,
    readonly rules: UploadRules,
    readonly abandonOnFailure: boolean,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    const name = this.name(m, this.repository);
    const blob = pick(m.pools.blobs, this.blob);
    const uploadId = uploadIdFrom(`model-upload-${m.uploads++}`);
    if (E.isLeft(execute(m, r, c.initiateLayerUpload(name, uploadId)))) return;
    const points = [...new Set(this.cuts.map((cut) => 1 + (cut % Math.max(1, blob.size - 1))))]
      .filter((cut) => cut < blob.size)
      .sort((a, b) => a - b);
    const bounds = [0, ...points, blob.size];
    for (let i = 0; i + 1 < bounds.length; i++) {
      if (this.misplacedPartBefore === i) execute(m, r, c.uploadLayerPart(name, uploadId, bounds[i]! + 1, 1));
      execute(m, r, c.uploadLayerPart(name, uploadId, bounds[i]!, bounds[i + 1]! - bounds[i]!));
    }
    const declared = this.declareWrongDigest ? pick(m.pools.blobs, this.blob + 1).digest : blob.digest;
    const completed = execute(
      m,
      r,
      c.completeLayerUpload(name, uploadId, blob, {
        rules: this.rules,
        ...(declared === blob.digest ? {} : { declared }),
      }),
    );
    if (E.isLeft(completed) && !this.abandonOnFailure)
      execute(m, r, c.discardLayerUpload(name, uploadId, "failed"));
  }
  toString() {
    return `UploadLayer(#${this.repository}, blob #${this.blob}, cuts ${this.cuts}, misplaced ${this.misplacedPartBefore}, wrong digest ${this.declareWrongDigest}, rules ${this.rules}, abandon ${this.abandonOnFailure})`;
  }
}

class PutImage extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly manifest: number,
    readonly tag: number | undefined,
    readonly digest: "none" | "right" | "wrong",
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    const draft = pick(m.pools.manifests, this.manifest);
    const wrong = pick(m.pools.manifests, this.manifest + 1).digest;
    execute(
      m,
      r,
      c.putImage(this.name(m, this.repository), draft, {
        ...(this.tag === undefined ? {} : { tag: pick(m.pools.imageTags, this.tag) }),
        ...(this.digest === "none"
          ? {}
          : { digest: this.digest === "right" || wrong === draft.digest ? draft.digest : wrong }),
      }),
    );
  }
  toString() {
    return `PutImage(#${this.repository}, manifest #${this.manifest}, tag #${this.tag}, digest ${this.digest})`;
  }
}

/** An index with the manifests it references pushed first, so that indexes are common. */
class PushIndex extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly index: number,
    readonly tag: number,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    const indexes = m.pools.manifests.filter((draft) => draft.kind === "index");
    if (indexes.length === 0) return;
    const index = pick(indexes, this.index);
    const name = this.name(m, this.repository);
    for (const child of index.children) {
      const draft = m.pools.manifests.find((candidate) => candidate.digest === child);
      if (draft !== undefined) execute(m, r, c.putImage(name, draft));
    }
    execute(m, r, c.putImage(name, index, { tag: pick(m.pools.imageTags, this.tag) }));
  }
  toString() {
    return `PushIndex(#${this.repository}, index #${this.index}, tag #${this.tag})`;
  }
}

type IdPlan = { readonly tag?: number; readonly manifest?: number };

class DeleteImagesOperation extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly ids: ReadonlyArray<IdPlan>,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    const name = this.name(m, this.repository);
    const imageIds: ImageIdentifier[] = this.ids.map((id) => ({
      ...(id.tag === undefined ? {} : { imageTag: pick(m.pools.imageTags, id.tag) }),
      ...(id.manifest === undefined ? {} : { imageDigest: pick(m.pools.manifests, id.manifest).digest }),
    }));
    const command: DeleteImages = c.deleteImages(name, imageIds);
    const repository = findRepository(r.projection.state, m.pools.registryId, name);
    const plan = repository === undefined ? undefined : planImageDeletion(repository, command);
    const before = m.reference.repositories.has(name);
    const decision = decide(r.projection.state, command);
    const outcome = m.reference.execute(command);
    expect(outcomeOf(decision)).toBe(outcome.ok ? "accepted" : outcome.error);
    if (outcome.ok && outcome.deletion !== undefined && plan !== undefined) {
      expect(plan.imageIds, "deleted ids").toEqual(outcome.deletion.imageIds);
      expect(
        plan.failures.map((f) => f.failureCode),
        "failure codes",
      ).toEqual(outcome.deletion.failureCodes);
      expect(E.isRight(decision) && decision.right).toEqual(plan.events);
    } else {
      expect(before).toBe(false);
    }
    if (E.isRight(decision)) {
      for (const event of decision.right) r.projection.apply(event);
      r.log.push(...decision.right);
    }
  }
  toString() {
    return `DeleteImages(#${this.repository}, ${JSON.stringify(this.ids)})`;
  }
}

class MountLayer extends RegistryOperation {
  constructor(
    readonly repository: number,
    readonly from: number,
    readonly blob: number,
  ) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    execute(
      m,
      r,
      c.mountLayer(
        this.name(m, this.repository),
        this.name(m, this.from),
        pick(m.pools.blobs, this.blob).digest,
      ),
    );
  }
  toString() {
    return `MountLayer(#${this.repository} from #${this.from}, blob #${this.blob})`;
  }
}

class PutRegistrySettings extends RegistryOperation {
  constructor(readonly lenient: boolean) {
    super();
  }
  apply(m: Model, r: Real, c: ReturnType<typeof registryCommands>) {
    execute(m, r, c.putRegistrySettings(this.lenient));
  }
  toString() {
    return `PutRegistrySettings(lenient: ${this.lenient})`;
  }
}

const index = fc.nat({ max: 7 });
const putImage = fc
  .tuple(
    index,
    index,
    fc.option(index, { nil: undefined }),
    fc.constantFrom("none", "none", "none", "right", "wrong" as const),
  )
  .map(([repository, manifest, tag, digest]) => new PutImage(repository, manifest, tag, digest));
const operations = [
  putImage,
  putImage,
  putImage,
  fc
    .tuple(index, fc.oneof(fc.constant<Partial<TagMutabilitySetting>>({}), tagMutabilityArb()))
    .map(([repository, setting]) => new CreateRepository(repository, setting)),
  fc
    .tuple(index, fc.constantFrom(undefined, false, true))
    .map(([repository, force]) => new DeleteRepository(repository, force)),
  fc
    .tuple(index, tagMutabilityArb())
    .map(([repository, setting]) => new PutImageTagMutability(repository, setting)),
  fc
    .record({
      repository: index,
      blob: index,
      cuts: fc.array(fc.nat(), { maxLength: 3 }),
      misplaced: fc.option(fc.nat({ max: 3 }), { nil: undefined, freq: 4 }),
      wrong: fc.boolean(),
      rules: fc.constantFrom<UploadRules>("ecr", "oci"),
      abandon: fc.boolean(),
    })
    .map(
      ({ repository, blob, cuts, misplaced, wrong, rules, abandon }) =>
        new UploadLayer(repository, blob, cuts, misplaced, wrong, rules, abandon),
    ),
  fc
    .tuple(
      index,
      fc.array(
        fc.oneof(
          index.map((tag): IdPlan => ({ tag })),
          index.map((manifest): IdPlan => ({ manifest })),
          fc.tuple(index, index).map(([tag, manifest]): IdPlan => ({ tag, manifest })),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([repository, ids]) => new DeleteImagesOperation(repository, ids)),
  fc.tuple(index, index, index).map(([repository, from, blob]) => new MountLayer(repository, from, blob)),
  fc.tuple(index, index, index).map(([repository, which, tag]) => new PushIndex(repository, which, tag)),
  fc.boolean().map((lenient) => new PutRegistrySettings(lenient)),
];

describe("The core against the reference model", () => {
  it("answer every operation and every query alike", () => {
    fc.assert(
      fc.property(
        registryPoolsArb({
          maxRepositories: 2,
          maxTags: 3,
          maxBlobs: 3,
          maxImages: 4,
          maxIndexes: 2,
          maxReferrers: 2,
        }),
        fc.array(fc.oneof(fc.constant<Partial<TagMutabilitySetting>>({}), tagMutabilityArb()), {
          minLength: 2,
          maxLength: 2,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.commands(operations, { maxCommands: 40, size: "max" }),
        (pools, settings, pageSize, commands) => {
          const model: Model = {
            pools,
            reference: new ReferenceRegistry(pools.registryId, pools.manifests),
            pageSize,
            uploads: 0,
          };
          const real: Real = { projection: createProjection(), log: [] };
          // Start from repositories that hold every blob, so that images can be pushed from the start.
          const c = registryCommands(pools.registryId);
          pools.repositoryNames.forEach((name, i) => {
            execute(model, real, c.createRepository(name, settings[i] ?? {}));
            for (const blob of pools.blobs)
              for (const command of c.uploadLayer(name, blob)) execute(model, real, command);
          });
          fc.modelRun(() => ({ model, real }), commands);
          // Replaying the log from scratch reaches the state the projection reached step by step.
          expect(fold(real.log)).toEqual(real.projection.state);
        },
      ),
      { numRuns: 45 },
    );
  });
});
