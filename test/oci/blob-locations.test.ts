/**
 * `berth serve --storage postgres --blobs …` end to end: events in PostgreSQL, blobs in a real S3
 * server (moto_server) or in files of a directory. skopeo pushes an OCI layout and pulls it back out
 * identical; a 20 MiB layer pushed in chunks spans several S3 blocks; two servers on one database
 * and bucket take the chunks of one upload in turn; with --blob-redirect a /v2
 * blob GET answers 307 to a presigned S3 URL (skopeo follows it), and GetDownloadUrlForLayer
 * answers the presigned URL, as ECR does.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetDownloadUrlForLayerCommand } from "@aws-sdk/client-ecr";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { program, serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { MOTO_CREDENTIALS, type MotoS3, startMotoS3 } from "../support/moto-s3.js";
import { bodyBytes, type OciClient, ociClient, sha256 } from "../support/oci-client.js";
import { buildImage, type LayoutImage, readLayout, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const MiB = 1024 * 1024;

/** A Location header's path and query, to send to any server. */
const pathOf = (location: string | null) => {
  const url = new URL(location ?? "", "http://any");
  return `${url.pathname}${url.search}`;
};

/**
 * Pushes `bytes` as a blob in PATCH chunks of `chunk` bytes, then PUT ?digest=; with several
 * clients (servers), each request goes to the next.
 */
const pushInChunks = async (v2: OciClient | OciClient[], name: string, bytes: Buffer, chunk: number) => {
  const servers = Array.isArray(v2) ? v2 : [v2];
  let turn = 0;
  const next = () => servers[turn++ % servers.length] as OciClient;
  const started = await next().request(`/v2/${name}/blobs/uploads/`, { method: "POST" });
  expect(started.status).toBe(202);
  let location = pathOf(started.headers.get("location"));
  for (let start = 0; start < bytes.length; start += chunk) {
    const piece = bytes.subarray(start, start + chunk);
    const patched = await next().request(location, {
      method: "PATCH",
      headers: {
        "content-type": "application/octet-stream",
        "content-range": `${start}-${start + piece.length - 1}`,
      },
      body: piece,
    });
    expect(patched.status, await patched.clone().text()).toBe(202);
    location = pathOf(patched.headers.get("location"));
  }
  const digest = sha256(bytes);
  const closed = await next().request(`${location}${location.includes("?") ? "&" : "?"}digest=${digest}`, {
    method: "PUT",
  });
  expect(closed.status, await closed.clone().text()).toBe(201);
  return digest;
};

/** skopeo copies the layout's image in and back out: same manifest, every blob byte for byte. */
const roundTrip = async (skopeo: Skopeo, berth: RunningBerth, source: string, image: LayoutImage) => {
  const ref = dockerRef(berth.port, "team/app:v1");
  await skopeo(["copy", "--quiet", `oci:${source}:v1`, ref, "--dest-tls-verify=false"]);
  const out = await skopeo.scratch("layout-out");
  await skopeo(["copy", "--quiet", ref, `oci:${out}:v1`, "--src-tls-verify=false"]);
  const back = await readLayout(out, "v1");
  expect(back.descriptor.digest).toBe(image.manifestDigest);
  expect(back.manifest).toBe(image.manifest);
  for (const [i, digest] of image.layerDigests.entries())
    expect((await back.readBlob(digest)).equals(image.layers[i] ?? Buffer.alloc(0))).toBe(true);
  expect((await back.readBlob(image.configDigest)).equals(image.config)).toBe(true);
};

describe("--storage postgres with --blobs s3://bucket/prefix on moto_server, --blob-redirect", () => {
  let moto: MotoS3;
  let bucket = "";
  let berth: RunningBerth;
  let skopeo: Skopeo;
  let source = "";
  const image = buildImage({ seed: "s3-blobs" });

  beforeAll(async () => {
    await requireSkopeo();
    moto = await startMotoS3();
    bucket = await moto.createBucket();
    berth = await startBerth({
      storage: "postgres",
      createOnPush: true,
      blobs: `s3://${bucket}/registry/one`,
      s3Endpoint: moto.endpoint,
      s3AccessKeyId: MOTO_CREDENTIALS.accessKeyId,
      s3SecretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
      blobRedirect: true,
    });
    skopeo = await createSkopeo();
    source = await skopeo.scratch("layout-src");
    await writeLayout(source, [{ name: "v1", image }]);
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
    await moto?.stop();
  });

  it("skopeo pushes an image and pulls it back identical through redirects; the blobs are S3 objects", async () => {
    await roundTrip(skopeo, berth, source, image);
    // What skopeo's pull was answered: every blob GET redirects to S3.
    const get = await ociClient(berth.endpoint).request(`/v2/team/app/blobs/${image.configDigest}`);
    expect(get.status).toBe(307);
    const listed = await moto
      .client()
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "registry/one/blobs/sha256/" }));
    const keys = (listed.Contents ?? []).map((object) => object.Key);
    for (const digest of image.blobDigests)
      expect(keys).toContain(`registry/one/blobs/sha256/${digest.slice("sha256:".length)}`);
    const uploads = await moto
      .client()
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "registry/one/uploads/" }));
    expect(uploads.KeyCount).toBe(0);
  });

  it("takes a 20 MiB layer in 7 MiB chunks; GET answers 307 to a presigned URL, HEAD answers itself", async () => {
    const v2 = ociClient(berth.endpoint);
    const layer = randomBytes(20 * MiB);
    const digest = await pushInChunks(v2, "team/big", layer, 7 * MiB);

    const redirected = await v2.request(`/v2/team/big/blobs/${digest}`);
    expect(redirected.status).toBe(307);
    const location = redirected.headers.get("location") ?? "";
    expect(location.startsWith(`${moto.endpoint}/${bucket}/registry/one/blobs/sha256/`)).toBe(true);
    const fetched = await fetch(location);
    expect(sha256(await bodyBytes(fetched))).toBe(digest);
    const ranged = await fetch(location, { headers: { range: "bytes=8388600-8388700" } });
    expect(Buffer.from(await ranged.arrayBuffer()).equals(layer.subarray(8388600, 8388701))).toBe(true);

    const head = await v2.request(`/v2/team/big/blobs/${digest}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(layer.length));
  }, 60_000);

  it("takes the chunks of one upload at two servers on one database and bucket, in turn", async () => {
    const { database } = berth;
    if (database === undefined) throw new Error("postgres storage has a database");
    const second = await serve({
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: "000000000000",
      logLevel: "silent",
      lenient: false,
      createOnPush: true,
      storage: "postgres",
      databaseUrl: database.connectionString,
      databaseSchema: database.schema,
      dataDir: berth.dataDir,
      blobs: `s3://${bucket}/registry/one`,
      s3Endpoint: moto.endpoint,
      s3AccessKeyId: MOTO_CREDENTIALS.accessKeyId,
      s3SecretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
    });
    try {
      const servers = [ociClient(berth.endpoint), ociClient(`http://127.0.0.1:${second.port}`)];
      const layer = randomBytes(3 * MiB + 17);
      // POST, PATCH and PUT alternate between the servers: each catches up on the other's bytes.
      const digest = await pushInChunks(servers, "team/shared", layer, 700 * 1024);
      for (const server of servers) {
        const head = await server.request(`/v2/team/shared/blobs/${digest}`, { method: "HEAD" });
        expect(head.status).toBe(200);
        expect(head.headers.get("content-length")).toBe(String(layer.length));
      }
      // The second server has no --blob-redirect: it streams the bytes from S3 itself.
      const served = await (servers[1] as OciClient).request(`/v2/team/shared/blobs/${digest}`);
      expect(served.status).toBe(200);
      expect(sha256(await bodyBytes(served))).toBe(digest);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("GetDownloadUrlForLayer answers the presigned S3 URL, as ECR does", async () => {
    // The first test pushed `image` to team/app: its layers are referenced by an image.
    const layerDigest = image.layerDigests[0] ?? "";
    const answer = await berth
      .client()
      .send(new GetDownloadUrlForLayerCommand({ repositoryName: "team/app", layerDigest }));
    expect(answer.layerDigest).toBe(layerDigest);
    expect(answer.downloadUrl?.startsWith(`${moto.endpoint}/${bucket}/registry/one/blobs/sha256/`)).toBe(
      true,
    );
    expect(answer.downloadUrl).toContain("X-Amz-Signature=");
    const fetched = await fetch(answer.downloadUrl ?? "");
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(image.layers[0] ?? Buffer.alloc(0))).toBe(true);
  });
});

describe("--storage postgres with --blobs file:DIR", () => {
  let berth: RunningBerth;
  let skopeo: Skopeo;
  let directory = "";
  const image = buildImage({ seed: "file-blobs" });

  beforeAll(async () => {
    await requireSkopeo();
    directory = await mkdtemp(join(tmpdir(), "berth-file-blobs-"));
    berth = await startBerth({
      storage: "postgres",
      createOnPush: true,
      blobs: `file:${directory}`,
      blobRedirect: true,
    });
    skopeo = await createSkopeo();
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
    await rm(directory, { recursive: true, force: true });
  });

  it("skopeo pushes an image and pulls it back identical; the blobs are files in DIR", async () => {
    const source = await skopeo.scratch("layout-src");
    await writeLayout(source, [{ name: "v1", image }]);
    await roundTrip(skopeo, berth, source, image);
    const files = await readdir(join(directory, "blobs", "sha256"), { recursive: true });
    for (const digest of image.blobDigests)
      expect(files).toContain(join(digest.slice(7, 9), digest.slice(7)));
    // Files cannot be presigned: --blob-redirect changes nothing, Berth serves the bytes.
    const layer = await ociClient(berth.endpoint).request(`/v2/team/app/blobs/${image.layerDigests[0]}`);
    expect(layer.status).toBe(200);
  });
});

describe("--blobs on the command line", () => {
  const blobs = program.commands
    .find((command) => command.name() === "serve")
    ?.options.find((option) => option.long === "--blobs");

  it("takes file:DIR, s3://BUCKET[/PREFIX] and postgres", () => {
    for (const value of ["file:/var/lib/berth", "s3://my-bucket", "s3://my.bucket/a/b", "postgres"])
      expect(blobs?.parseArg?.(value, undefined)).toBe(value);
  });

  it("refuses anything else, saying what it takes", () => {
    for (const [value, message] of [
      ["files:/x", /expected file:DIR, s3:\/\/BUCKET\[\/PREFIX\] or postgres/],
      ["file:", /file: needs a directory/],
      ["s3://", /no S3 bucket name/],
      ["s3://Bad_Bucket/x", /"Bad_Bucket" is no S3 bucket name/],
      ["bytea", /expected file:DIR/],
    ] as const)
      expect(() => blobs?.parseArg?.(value, undefined), value).toThrow(message);
  });

  it("applies to --storage postgres only", async () => {
    await expect(startBerth({ storage: "memory", blobs: "postgres" })).rejects.toThrow(
      /--blobs applies to --storage postgres only/,
    );
  });
});
