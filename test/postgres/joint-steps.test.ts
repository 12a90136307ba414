/**
 * Joint steps on PostgreSQL (engine/ports/joint-steps.ts, migration 0009): the blob store's upload
 * writes commit inside the event store's appends, so a layer upload through the engine is one
 * statement per request (and one read of the upload's size), and a step commits with its events
 * or not at all: not when the step cannot be carried out, not when the append conflicts, not when
 * the log moved on.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createPostgresStorage, type PostgresStorage } from "@berth/adapter-postgres";
import type { RepositoryName, UploadId } from "@berth/core";
import {
  createRegistry,
  ExpectedVersionConflictError,
  type JointBlobSteps,
  JointStepFailedError,
} from "@berth/engine";
import { expectRight, layerBlobOf, pushLayer } from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase, recordingClient } from "../support/postgres.js";

/** Every statement the storage's pool sends, in order. */
const { Client: RecordingClient, sent } = recordingClient();

const uploadRow = async (storage: PostgresStorage, schema: string, uploadId: string) =>
  (
    await storage.db
      .withSchema(schema)
      .selectFrom("uploads")
      .select("size")
      .where("upload_id", "=", uploadId)
      .execute()
  ).map((row) => Number(row.size));

describe("Postgres joint steps: upload writes committed with their events", () => {
  let database: PostgresTestDatabase;
  let storage: PostgresStorage;
  let joint: JointBlobSteps;
  beforeAll(async () => {
    database = await acquirePostgres();
    storage = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
      migrate: false,
      pool: { Client: RecordingClient },
    });
    if (storage.blobs.joint === undefined) throw new Error("createPostgresStorage offers no joint steps");
    joint = storage.blobs.joint;
  });
  afterAll(async () => {
    await storage?.close();
    await database?.release();
  });

  it("uploads a layer through the engine in one statement per request", async () => {
    const registry = createRegistry({ events: storage.events, blobs: storage.blobs });
    const repositoryName = "joint/engine" as RepositoryName;
    expectRight(await registry.createRepository({ repositoryName }));
    sent.length = 0;
    const blob = await pushLayer(registry, repositoryName, randomBytes(3000));
    expect(sent.map((text) => text.match(/\."(berth_\w+|uploads)"/)?.[1])).toEqual([
      "berth_append_after",
      "berth_append_after",
      "berth_append_after",
    ]);
    expect(await storage.blobs.stat(blob.digest)).toEqual({ digest: blob.digest, size: blob.size });
    const types = (await storage.events.readAll()).slice(-3).map((event) => event.type);
    expect(types).toEqual(["LayerUploadInitiated", "LayerPartUploaded", "LayerUploadCompleted"]);
  });

  it("completes on the measured bytes when another process appended after this one wrote", async () => {
    const other = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
      migrate: false,
    });
    try {
      const here = createRegistry({ events: storage.events, blobs: storage.blobs });
      const there = createRegistry({ events: other.events, blobs: other.blobs });
      const repositoryName = "joint/two-processes" as RepositoryName;
      expectRight(await here.createRepository({ repositoryName }));
      const [first, second] = [randomBytes(6 * 1024 * 1024), randomBytes(1000)];
      const whole = layerBlobOf(Buffer.concat([first, second]));
      const part = (registry: typeof here, uploadId: UploadId, at: number, bytes: Buffer) =>
        registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: at,
          partLastByte: at + bytes.length - 1,
          layerPartBlob: bytes,
        });
      const upload = async (declared: string) => {
        const { uploadId } = expectRight(await here.initiateLayerUpload({ repositoryName }));
        expectRight(await part(here, uploadId, 0, first));
        expectRight(await part(there, uploadId, first.length, second)); // this process never saw it
        return here.completeLayerUpload({ repositoryName, uploadId, layerDigests: [declared] });
      };
      expectRight(await upload(whole.digest));
      expect(await storage.blobs.stat(whole.digest)).toEqual({ digest: whole.digest, size: whole.size });
      // Declaring the digest of what this process wrote is refused: the upload holds more.
      const firstOnly = layerBlobOf(first);
      const refused = await upload(firstOnly.digest);
      expect(refused._tag === "Left" && refused.left._tag).toBe("InvalidLayerException");
      expect(await storage.blobs.stat(firstOnly.digest)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it("writes neither the step nor the events when the step cannot be carried out", async () => {
    const uploadId = randomUUID();
    const stream = `joint-${uploadId}`;
    await storage.events.appendToStream(
      stream,
      [{ type: "Opened", data: {} }],
      0,
      joint.createUpload(uploadId),
    );
    const bytes = randomBytes(100);
    const first = joint.appendToUpload(uploadId, 0, bytes)!;
    const second = joint.appendToUpload(uploadId, 0, randomBytes(50))!;
    await storage.events.appendToStream(stream, [{ type: "Part", data: {} }], 1, first);
    // The upload is at 100 now: a step at 0 finds it elsewhere.
    await expect(
      storage.events.appendToStream(stream, [{ type: "Part", data: {} }], 2, second),
    ).rejects.toBeInstanceOf(JointStepFailedError);
    expect(await storage.events.streamVersion(stream)).toBe(2);
    expect(await uploadRow(storage, database.schema, uploadId)).toEqual([100]);
    // Creating an upload that exists is a step that cannot be carried out either.
    await expect(
      storage.events.appendToStream(stream, [{ type: "Again", data: {} }], 2, joint.createUpload(uploadId)),
    ).rejects.toBeInstanceOf(JointStepFailedError);
    expect(await storage.events.streamVersion(stream)).toBe(2);
  });

  it("undoes the step when the append conflicts or the log moved on", async () => {
    const conflicting = randomUUID();
    await storage.events.appendToStream(`joint-${conflicting}`, [{ type: "First", data: {} }]);
    await expect(
      storage.events.appendToStream(
        `joint-${conflicting}`,
        [{ type: "Opened", data: {} }],
        0,
        joint.createUpload(conflicting),
      ),
    ).rejects.toBeInstanceOf(ExpectedVersionConflictError);
    expect(await uploadRow(storage, database.schema, conflicting)).toEqual([]);

    const behind = randomUUID();
    const log = await storage.events.readAll({ after: 0n, maxCount: 100_000 });
    const end = log.at(-1)!.globalPosition;
    const guarded = await storage.events.appendIfLogAt!(
      `joint-${behind}`,
      [{ type: "Opened", data: {} }],
      0,
      end - 1n,
      joint.createUpload(behind),
    );
    expect(guarded).toEqual({ missed: [], logPosition: end });
    expect(await uploadRow(storage, database.schema, behind)).toEqual([]);
    expect(await storage.events.streamVersion(`joint-${behind}`)).toBe(0);
  });

  it("finishes a blob only with its layer, and refuses another storage's step", async () => {
    const uploadId = randomUUID();
    const blob = layerBlobOf(randomBytes(700));
    const stream = `joint-${uploadId}`;
    await storage.events.appendToStream(
      stream,
      [{ type: "Opened", data: {} }],
      0,
      joint.createUpload(uploadId),
    );
    await storage.events.appendToStream(
      stream,
      [{ type: "Part", data: {} }],
      1,
      joint.appendToUpload(uploadId, 0, blob.bytes),
    );
    expect(joint.finishUpload(uploadId, { digest: blob.digest, size: blob.size - 1 })).toBeUndefined();
    const finish = joint.finishUpload(uploadId, blob)!;
    await expect(
      storage.events.appendToStream(stream, [{ type: "Done", data: {} }], 7, finish),
    ).rejects.toBeInstanceOf(ExpectedVersionConflictError);
    expect(await storage.blobs.stat(blob.digest)).toBeUndefined();
    await storage.events.appendToStream(stream, [{ type: "Done", data: {} }], 2, finish);
    expect(await storage.blobs.stat(blob.digest)).toEqual({ digest: blob.digest, size: blob.size });
    expect(await uploadRow(storage, database.schema, uploadId)).toEqual([]);

    const other = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
      migrate: false,
    });
    try {
      await expect(
        other.events.appendToStream(
          "joint-other",
          [{ type: "X", data: {} }],
          0,
          joint.createUpload(randomUUID()),
        ),
      ).rejects.toThrow(/joint step of storage/);
    } finally {
      await other.close();
    }
  });
});
