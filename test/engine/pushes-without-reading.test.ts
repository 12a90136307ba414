/**
 * A `/v2` push decided without reading first: a streamed chunk is written at the end of the upload
 * this process holds, and a push into a repository it knows of creates nothing, both without a read
 * of the log. What another process appended in between must still count: a chunk the blob store
 * refused at a stale end lands at the end the whole log knows.
 */
import { randomBytes } from "node:crypto";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresEventStore } from "@berth/adapter-postgres";
import type { Digest, RepositoryName, UploadId } from "@berth/core";
import { createRegistry, type EventStore, type Registry } from "@berth/engine";
import { sha256Digest } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, it } from "vitest";
import { lazyPostgres, recordingDb } from "../support/postgres.js";

const right = <A>(either: E.Either<{ readonly _tag: string; readonly message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(`${either.left._tag}: ${either.left.message}`);
  return either.right;
};

/** A request body as the HTTP edge hands it on: a stream, in pieces. */
async function* streamed(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
}

const chunk = (registry: Registry, repositoryName: RepositoryName, uploadId: UploadId, bytes: Buffer) =>
  registry.appendToLayerUpload({ repositoryName, uploadId, bytes: streamed(bytes) });

describe("engine: a /v2 push without reads", () => {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());

  it("postgres: on an engine that holds the whole log, each request of a push is one statement", async () => {
    const { pool, schema } = await postgres.get();
    const { db, statements } = recordingDb(pool);
    const registry = createRegistry({
      events: createPostgresEventStore({ db, schema }),
      blobs: createMemoryBlobStore(),
    });
    const repositoryName = "unread/push" as RepositoryName;
    right(await registry.createRepository({ repositoryName }));
    const bytes = randomBytes(5000);
    const sent = async (request: () => Promise<unknown>) => {
      statements.length = 0;
      await request();
      return statements.length;
    };

    const ensured = () =>
      registry.createRepositoryFromTemplate({
        repositoryName,
        purpose: "CREATE_ON_PUSH",
        implicitRootTemplate: true,
      });
    expect(await sent(ensured)).toBe(0);
    let uploadId = "" as UploadId;
    expect(
      await sent(async () => ({ uploadId } = right(await registry.initiateLayerUpload({ repositoryName })))),
    ).toBe(1);
    expect(await sent(async () => right(await chunk(registry, repositoryName, uploadId, bytes)))).toBe(1);
    const layerDigests = [sha256Digest(bytes) as Digest];
    expect(
      await sent(async () =>
        right(await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests })),
      ),
    ).toBe(1);
  });

  const stores: Array<[string, () => Promise<EventStore>]> = [
    ["memory", async () => createMemoryEventStore()],
    [
      "postgres",
      async () => {
        const { db, schema, pool } = await postgres.get();
        return createPostgresEventStore({ db, schema, pool });
      },
    ],
  ];
  for (const [name, makeEvents] of stores) {
    it(`${name}: a chunk streamed to an engine that holds an older end of the upload lands at its end`, async () => {
      const events = await makeEvents();
      const blobs = createMemoryBlobStore();
      const [one, two] = [createRegistry({ events, blobs }), createRegistry({ events, blobs })];
      const repositoryName = `stale/${name}` as RepositoryName;
      right(await one.createRepository({ repositoryName }));
      const { uploadId } = right(await one.initiateLayerUpload({ repositoryName }));
      expect(right(await two.layerUploadProgress({ repositoryName, uploadId }))).toEqual({ size: 0 });
      const [first, second] = [randomBytes(3000), randomBytes(2500)];

      expect(right(await chunk(one, repositoryName, uploadId, first))).toEqual({ size: 3000 });
      // `two` still holds the upload at 0: the blob store refuses there, before reading a byte.
      expect(right(await chunk(two, repositoryName, uploadId, second))).toEqual({ size: 5500 });

      const layerDigest = sha256Digest(Buffer.concat([first, second])) as Digest;
      expect(
        right(
          await one.completeLayerUpload({
            repositoryName,
            uploadId,
            layerDigests: [layerDigest],
            rules: "oci",
          }),
        ),
      ).toMatchObject({ layerDigest });
      await events.close();
    });
  }
});
