/**
 * Garbage collection racing pushes on PostgreSQL: two pusher engines and two sweeper engines (each a
 * `createRegistry` with its own CommandHandler and pg pool, as four processes would be) share one
 * database. With a grace period of zero every layer is collectable the moment no image references
 * it, so the sweepers race every upload and every PutImage. Each push either links its blobs first
 * (and they stay) or is refused with LayersNotFoundException; at the end no image, and no layer a
 * repository links, is missing its bytes.
 */
import { createPostgresStorage, type PostgresStorage } from "@berth/adapter-postgres";
import { type Digest, ImageTag, RepositoryName, type UploadId } from "@berth/core";
import { createRegistry, type Registry } from "@berth/engine";
import { branded, expectRight, imageManifestOf, type LayerBlob, layerBlobOf } from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

const PUSHERS = 2;
const SWEEPERS = 2;
const ROUNDS = 12;
const repositoryName = branded(RepositoryName, "race/gc");

/** Three images whose blobs every pusher uploads again and again: re-uploads race collection too. */
const images = [0, 1, 2].map((k) => {
  const config = layerBlobOf(`{"gc-race":${k}}`);
  const layer = layerBlobOf(new Uint8Array(20_000 + k * 1_000).fill(k + 1));
  return { blobs: [config, layer], manifest: imageManifestOf(config, [layer]).manifest };
});

const upload = async (registry: Registry, blob: LayerBlob): Promise<string> => {
  const { uploadId } = expectRight(await registry.initiateLayerUpload({ repositoryName }));
  const part = await registry.uploadLayerPart({
    repositoryName,
    uploadId: uploadId as UploadId,
    partFirstByte: 0,
    partLastByte: blob.size - 1,
    layerPartBlob: blob.bytes,
  });
  if (part._tag === "Left") return part.left._tag;
  const completed = await registry.completeLayerUpload({
    repositoryName,
    uploadId,
    layerDigests: [blob.digest],
    rules: "oci",
  });
  return completed._tag === "Right" ? "ack" : completed.left._tag;
};

describe("garbage collection racing pushes on PostgreSQL", () => {
  let database: PostgresTestDatabase;
  const storages: PostgresStorage[] = [];
  beforeAll(async () => {
    database = await acquirePostgres();
  });
  afterAll(async () => {
    for (const storage of storages) await storage.close();
    await database?.release();
  });

  const engine = async () => {
    const storage = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
      migrate: false,
      pool: { max: 3 },
    });
    storages.push(storage);
    return {
      storage,
      registry: createRegistry({ events: storage.events, blobs: storage.blobs, gcGrace: 0 }),
    };
  };

  it("every push wins or is refused with LayersNotFoundException; no image is left without its bytes", async () => {
    const pushers = await Promise.all(Array.from({ length: PUSHERS }, engine));
    const sweepers = await Promise.all(Array.from({ length: SWEEPERS }, engine));
    expectRight(await pushers[0]!.registry.createRepository({ repositoryName }));
    // The first image's blobs stay referenced throughout, so its pushes always win; the other two
    // images are deleted after each push, so their blobs are collectable again and again (grace
    // 0) and their uploads and pushes race the sweeps.
    const keeper = pushers[0]!.registry;
    for (const blob of images[0]!.blobs) expect(await upload(keeper, blob)).toBe("ack");
    const keeperTag = branded(ImageTag, "keeper");
    expectRight(
      await keeper.putImage({ repositoryName, imageManifest: images[0]!.manifest, imageTag: keeperTag }),
    );

    const outcomes = new Map<string, number>();
    const surviving = new Set<string>(["keeper"]);
    const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    let collected = 0;
    let pushing = true;
    const sweeping = sweepers.map(async ({ registry }) => {
      while (pushing) {
        collected += (await registry.collectGarbage()).blobs.length;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    await Promise.all(
      pushers.map(async ({ registry }, p) => {
        for (let round = 0; round < ROUNDS; round++) {
          const image = images[(round + p) % images.length]!;
          for (const blob of image.blobs) {
            const uploaded = await upload(registry, blob);
            // LayerAlreadyExists: the repository links it already; the push decides whether that lasts.
            expect(["ack", "LayerAlreadyExistsException"]).toContain(uploaded);
          }
          const imageTag = branded(ImageTag, `p${p}-r${round}`);
          const pushed = await registry.putImage({
            repositoryName,
            imageManifest: image.manifest,
            imageTag,
            rules: "oci",
          });
          count(pushed._tag === "Right" ? "ack" : pushed.left._tag);
          if (pushed._tag === "Right" && (round % 2 === 1 || image !== images[0])) {
            expectRight(await registry.batchDeleteImage({ repositoryName, imageIds: [{ imageTag }] }));
          } else if (pushed._tag === "Right") surviving.add(imageTag);
        }
      }),
    );
    pushing = false;
    await Promise.all(sweeping);
    // Whatever the sweeps got to during the race, the blobs of the last two images go now: no image
    // of theirs is left (an earlier version kept some, and on a fast machine nothing was collected).
    collected += (await sweepers[0]!.registry.collectGarbage()).blobs.length;

    expect(
      [...outcomes.keys()].filter((outcome) => outcome !== "ack" && outcome !== "LayersNotFoundException"),
    ).toEqual([]);
    expect(outcomes.get("ack") ?? 0).toBeGreaterThan(0);
    expect(collected).toBeGreaterThan(0);

    const { registry: auditor, storage } = await engine();
    await auditor.catchUp();
    const repository = auditor.state.repositories.get(`000000000000/${repositoryName}`)!;
    const missing: string[] = [];
    for (const image of repository.images.values()) {
      for (const blob of image.blobs)
        if ((await storage.blobs.stat(blob)) === undefined)
          missing.push(`image ${image.digest} needs ${blob}`);
    }
    for (const layer of repository.layers.keys()) {
      if ((await storage.blobs.stat(layer)) === undefined) missing.push(`layer ${layer as Digest}`);
    }
    expect(missing).toEqual([]);
    // Every acknowledged push not deleted since is there, with its bytes (checked above).
    expect([...repository.tags.keys()].sort()).toEqual([...surviving].sort());
  }, 120_000);
});
