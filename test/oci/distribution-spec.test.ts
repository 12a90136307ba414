/**
 * The OCI distribution API (`/v2/`) at the level of the distribution spec v1.1, driven with fetch:
 * every endpoint (end-1 … end-14, _catalog, referrers) and every error code the server emits, each
 * checked for status, headers and the spec's body `{"errors":[{"code","message","detail"}]}`.
 * Runs on memory and on PostgreSQL storage; Postgres never skips (startBerth throws without one).
 */
import { CreateRepositoryCommand, PutImageTagMutabilityCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import {
  type BuiltManifest,
  bodyBytes,
  built,
  bytesOf,
  EMPTY_SHA256,
  expectOciError,
  MediaTypes,
  type OciClient,
  ociClient,
  pushBlob,
  pushImage,
  pushImageBlobs,
  putManifest,
  sha256,
} from "../support/oci-client.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];

/** The OCI 1.1 empty descriptor's blob (`{}`), used as the config of artifacts. */
const EMPTY_JSON = new TextEncoder().encode("{}");
const EMPTY_CONFIG = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(EMPTY_JSON), size: 2 };

describe.each(STORAGES)("OCI distribution spec on %s storage", (storage) => {
  /** createOnPush: pushes create repositories, as docker users expect. */
  let berth: RunningBerth;
  /** No createOnPush (ECR's behaviour): NAME_UNKNOWN, and a catalog holding only what we create. */
  let strict: RunningBerth;
  /** Credentials configured: /v2 wants Basic auth. */
  let guarded: RunningBerth;
  let v2: OciClient;

  beforeAll(async () => {
    [berth, strict, guarded] = await Promise.all([
      startBerth({ storage, createOnPush: true }),
      startBerth({ storage }),
      startBerth({ storage, credentials: "AKIDEXAMPLE:secret:111111111111" }),
    ]);
    v2 = ociClient(berth.endpoint);
  });
  afterAll(async () => {
    await Promise.all([berth?.stop(), strict?.stop(), guarded?.stop()]);
  });

  /** POST /v2/<name>/blobs/uploads/ → 202; returns the upload URL (absolute). */
  const startUpload = async (name: string, client: OciClient = v2): Promise<URL> => {
    const response = await client.request(`/v2/${name}/blobs/uploads/`, {
      method: "POST",
      headers: { "content-length": "0" },
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const location = response.headers.get("location");
    expect(location).toMatch(new RegExp(`^(https?://[^/]+)?/v2/${name}/blobs/uploads/[^/?]+`));
    expect(response.headers.get("range")).toBe("0-0");
    expect(response.headers.get("content-length")).toBe("0");
    return new URL(location!, client.endpoint);
  };

  const withDigest = (location: URL, digest: string) => {
    const url = new URL(location);
    url.searchParams.set("digest", digest);
    return url.toString();
  };

  const patch = (location: URL | string, bytes: Uint8Array, range?: string) =>
    v2.request(location.toString(), {
      method: "PATCH",
      headers: {
        "content-type": "application/octet-stream",
        ...(range === undefined ? {} : { "content-range": range }),
      },
      body: bytes,
    });

  const expectBlob = async (name: string, bytes: Uint8Array, client: OciClient = v2) => {
    const digest = sha256(bytes);
    const head = await client.request(`/v2/${name}/blobs/${digest}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.length));
    expect(head.headers.get("docker-content-digest")).toBe(digest);
    expect(await head.text()).toBe("");
    const get = await client.request(`/v2/${name}/blobs/${digest}`);
    expect(get.status).toBe(200);
    expect(get.headers.get("docker-content-digest")).toBe(digest);
    const body = await bodyBytes(get);
    expect(body.length).toBe(bytes.length);
    expect(sha256(body)).toBe(digest);
  };

  describe("end-1: API version check", () => {
    it("GET /v2/ answers 200 with Docker-Distribution-API-Version: registry/2.0", async () => {
      const response = await v2.request("/v2/");
      expect(response.status).toBe(200);
      expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
      expect(await response.json()).toEqual({});
      const head = await v2.request("/v2/", { method: "HEAD" });
      expect(head.status).toBe(200);
    });
  });

  describe("blob uploads", () => {
    it("end-4b: a single POST ?digest= with the body creates the blob (201, Location, Docker-Content-Digest)", async () => {
      const name = "spec/monolithic";
      for (const [size, seed] of [
        [1, 1],
        [1000, 2],
        [70_001, 3],
      ] as const) {
        const bytes = bytesOf(size, seed);
        const digest = sha256(bytes);
        const response = await v2.request(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
          method: "POST",
          headers: { "content-type": "application/octet-stream" },
          body: bytes,
        });
        expect(response.status, await response.clone().text()).toBe(201);
        expect(response.headers.get("location")).toBe(`/v2/${name}/blobs/${digest}`);
        expect(response.headers.get("docker-content-digest")).toBe(digest);
        expect(response.headers.get("content-length")).toBe("0");
        // The Location is a pullable blob URL.
        const pulled = await v2.request(response.headers.get("location")!);
        expect(sha256(await bodyBytes(pulled))).toBe(digest);
        await expectBlob(name, bytes);
      }
    });

    it("end-4a + end-6: POST then PUT <location>?digest= with the body", async () => {
      const name = "spec/post-put";
      const bytes = bytesOf(12_345, 4);
      const location = await startUpload(name);
      const put = await v2.request(withDigest(location, sha256(bytes)), {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
      });
      expect(put.status, await put.clone().text()).toBe(201);
      expect(put.headers.get("location")).toBe(`/v2/${name}/blobs/${sha256(bytes)}`);
      expect(put.headers.get("docker-content-digest")).toBe(sha256(bytes));
      await expectBlob(name, bytes);
      // The session is closed: it cannot be used again.
      await expectOciError(await v2.request(location.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
    });

    it("end-5 + end-13: chunked PATCH with Content-Range in chunks of odd sizes, status by GET, closing PUT", async () => {
      const name = "spec/chunked";
      const sizes = [1, 7, 4093, 65_537, 3, 100_003, 2];
      const bytes = bytesOf(
        sizes.reduce((a, b) => a + b, 0),
        5,
      );
      let location = await startUpload(name);
      let offset = 0;
      for (const size of sizes) {
        const response = await patch(
          location,
          bytes.subarray(offset, offset + size),
          `${offset}-${offset + size - 1}`,
        );
        expect(response.status, await response.clone().text()).toBe(202);
        expect(response.headers.get("range")).toBe(`0-${offset + size - 1}`);
        expect(response.headers.get("content-length")).toBe("0");
        location = new URL(response.headers.get("location")!, v2.endpoint);
        offset += size;
        const status = await v2.request(location.toString());
        expect(status.status).toBe(204);
        expect(status.headers.get("range")).toBe(`0-${offset - 1}`);
        expect(status.headers.get("location")).toBe(location.pathname);
      }
      const put = await v2.request(withDigest(location, sha256(bytes)), { method: "PUT" });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob(name, bytes);
    });

    it("end-6: the last chunk may come with the closing PUT (Content-Range on the PUT)", async () => {
      const name = "spec/chunked";
      const bytes = bytesOf(9_999, 6);
      const location = await startUpload(name);
      const first = await patch(location, bytes.subarray(0, 5_000), "0-4999");
      expect(first.status).toBe(202);
      const put = await v2.request(withDigest(location, sha256(bytes)), {
        method: "PUT",
        headers: { "content-type": "application/octet-stream", "content-range": "5000-9998" },
        body: bytes.subarray(5_000),
      });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob(name, bytes);
    });

    it("an out-of-order chunk is refused with 416 and a Range header; nothing of it is kept", async () => {
      const name = "spec/out-of-order";
      const bytes = bytesOf(30, 7);
      const location = await startUpload(name);

      // Before any byte: a chunk that does not start at 0.
      const early = await patch(location, bytes.subarray(5, 15), "5-14");
      expect(early.headers.get("range")).toBe("0-0");
      await expectOciError(early, 416, "BLOB_UPLOAD_INVALID");

      expect((await patch(location, bytes.subarray(0, 10), "0-9")).status).toBe(202);
      // A gap, an overlap, a malformed range and a range whose length the body does not match.
      for (const [chunk, range] of [
        [bytes.subarray(20, 30), "20-29"],
        [bytes.subarray(0, 10), "0-9"],
        [bytes.subarray(5, 15), "5-14"],
        [bytes.subarray(10, 20), "ten-19"],
        [bytes.subarray(10, 15), "10-19"],
      ] as const) {
        const refused = await patch(location, chunk, range);
        expect(refused.status, `Content-Range ${range}`).toBe(416);
        expect(refused.headers.get("range")).toBe("0-9");
        expect(new URL(refused.headers.get("location")!, v2.endpoint).pathname).toBe(location.pathname);
        await expectOciError(refused, 416, "BLOB_UPLOAD_INVALID");
      }
      const status = await v2.request(location.toString());
      expect(status.status).toBe(204);
      expect(status.headers.get("range")).toBe("0-9");

      // The client resumes from the Range it was told.
      expect((await patch(location, bytes.subarray(10, 30), "10-29")).status).toBe(202);
      const put = await v2.request(withDigest(location, sha256(bytes)), { method: "PUT" });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob(name, bytes);
    });

    it("end-14: DELETE cancels an upload (204); the session is then BLOB_UPLOAD_UNKNOWN everywhere", async () => {
      const name = "spec/cancel";
      const bytes = bytesOf(100, 8);
      const location = await startUpload(name);
      expect((await patch(location, bytes, "0-99")).status).toBe(202);
      const cancelled = await v2.request(location.toString(), { method: "DELETE" });
      expect(cancelled.status).toBe(204);

      await expectOciError(await v2.request(location.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(await patch(location, bytes, "100-199"), 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(await patch(location, bytes), 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(
        await v2.request(withDigest(location, sha256(bytes)), { method: "PUT" }),
        404,
        "BLOB_UPLOAD_UNKNOWN",
      );
      await expectOciError(
        await v2.request(location.toString(), { method: "DELETE" }),
        404,
        "BLOB_UPLOAD_UNKNOWN",
      );
      await expectOciError(await v2.request(`/v2/${name}/blobs/${sha256(bytes)}`), 404, "BLOB_UNKNOWN");
    });

    it("a streamed PATCH without Content-Range (ReadableStream body) appends at the end of the upload", async () => {
      const name = "spec/streamed";
      const bytes = bytesOf(3 * 1024 * 1024 + 17, 9);
      const streamOf = (part: Uint8Array) => {
        let offset = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= part.length) return controller.close();
            const size = Math.min(65_537, part.length - offset);
            controller.enqueue(part.slice(offset, offset + size));
            offset += size;
          },
        });
      };
      const location = await startUpload(name);
      const split = 1_000_003;
      for (const [from, to] of [
        [0, split],
        [split, bytes.length],
      ] as const) {
        const response = await v2.request(location.toString(), {
          method: "PATCH",
          headers: { "content-type": "application/octet-stream" },
          body: streamOf(bytes.subarray(from, to)),
          duplex: "half",
        } as RequestInit);
        expect(response.status, await response.clone().text()).toBe(202);
        expect(response.headers.get("range")).toBe(`0-${to - 1}`);
      }
      const put = await v2.request(withDigest(location, sha256(bytes)), { method: "PUT" });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob(name, bytes);
    });

    it("a PATCH cut off midway keeps nothing of it: the upload resumes from the Range it reports", async () => {
      const name = "spec/resume";
      const first = bytesOf(1_000, 30);
      const rest = bytesOf(500, 31);
      const location = await startUpload(name);
      expect((await patch(location, first, "0-999")).status).toBe(202);

      const abort = new AbortController();
      let sent = 0;
      const cut = await v2
        .request(location.toString(), {
          method: "PATCH",
          headers: { "content-type": "application/octet-stream" },
          body: new ReadableStream<Uint8Array>({
            async pull(controller) {
              if (sent === 16) return abort.abort();
              sent += 1;
              controller.enqueue(bytesOf(65_536, 100 + sent));
              await new Promise((resolve) => setTimeout(resolve, 5));
            },
          }),
          duplex: "half",
          signal: abort.signal,
        } as RequestInit)
        .then(
          (response) => `answered ${response.status}`,
          (error: Error) => error.name,
        );
      expect(cut).toBe("AbortError");

      // The server sees the cut asynchronously; the status settles at what was accepted before.
      let range: string | null = null;
      for (let attempt = 0; attempt < 50 && range !== "0-999"; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const status = await v2.request(location.toString());
        expect(status.status).toBe(204);
        range = status.headers.get("range");
      }
      expect(range).toBe("0-999");
      expect((await patch(location, rest, "1000-1499")).status).toBe(202);
      const whole = Buffer.concat([first, rest]);
      const put = await v2.request(withDigest(location, sha256(whole)), { method: "PUT" });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob(name, whole);
    });

    it("end-11: a cross-repository mount answers 201 and the blob is then in the target repository", async () => {
      const bytes = bytesOf(4_321, 10);
      const digest = await pushBlob(v2, "spec/mount-source", bytes);
      await expectOciError(await v2.request(`/v2/spec/mount-target/blobs/${digest}`), 404, "NAME_UNKNOWN");
      const mounted = await v2.request(
        `/v2/spec/mount-target/blobs/uploads/?mount=${digest}&from=spec/mount-source`,
        {
          method: "POST",
          headers: { "content-length": "0" },
        },
      );
      expect(mounted.status, await mounted.clone().text()).toBe(201);
      expect(mounted.headers.get("location")).toBe(`/v2/spec/mount-target/blobs/${digest}`);
      expect(mounted.headers.get("docker-content-digest")).toBe(digest);
      await expectBlob("spec/mount-target", bytes);
      // Mounting again is harmless.
      const again = await v2.request(
        `/v2/spec/mount-target/blobs/uploads/?mount=${digest}&from=spec/mount-source`,
        {
          method: "POST",
        },
      );
      expect(again.status).toBe(201);
    });

    it("a mount the source cannot serve falls back to an ordinary upload (202 with a Location)", async () => {
      const bytes = bytesOf(2_222, 11);
      const digest = sha256(bytes);
      await pushBlob(v2, "spec/mount-empty-source", bytesOf(10, 12));
      const sources = ["spec/mount-empty-source", "spec/no-such-repository", "NOT a name"];
      for (const [i, from] of sources.entries()) {
        const target = `spec/mount-fallback-${i}`;
        const response = await v2.request(
          `/v2/${target}/blobs/uploads/?mount=${digest}&from=${encodeURIComponent(from)}`,
          { method: "POST" },
        );
        expect(response.status, `from ${from}: ${await response.clone().text()}`).toBe(202);
        const location = new URL(response.headers.get("location")!, v2.endpoint);
        expect(location.pathname).toMatch(new RegExp(`^/v2/${target}/blobs/uploads/[^/]+$`));
        const put = await v2.request(withDigest(location, digest), {
          method: "PUT",
          headers: { "content-type": "application/octet-stream" },
          body: bytes,
        });
        expect(put.status, await put.clone().text()).toBe(201);
        await expectBlob(target, bytes);
      }
      // A target that already holds the blob has nothing to mount: 201, whatever the source.
      const held = await v2.request(
        `/v2/spec/mount-fallback-0/blobs/uploads/?mount=${digest}&from=spec/no-such-repository`,
        {
          method: "POST",
        },
      );
      expect(held.status).toBe(201);
    });

    it("the empty blob (sha256 of zero bytes) uploads monolithically and by POST then PUT", async () => {
      const single = await v2.request(`/v2/spec/empty-a/blobs/uploads/?digest=${EMPTY_SHA256}`, {
        method: "POST",
      });
      expect(single.status, await single.clone().text()).toBe(201);
      expect(single.headers.get("docker-content-digest")).toBe(EMPTY_SHA256);
      await expectBlob("spec/empty-a", new Uint8Array(0));

      const location = await startUpload("spec/empty-b");
      const put = await v2.request(withDigest(location, EMPTY_SHA256), { method: "PUT" });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob("spec/empty-b", new Uint8Array(0));

      const get = await v2.request(`/v2/spec/empty-b/blobs/${EMPTY_SHA256}`);
      expect(get.headers.get("content-length")).toBe("0");
      expect((await bodyBytes(get)).length).toBe(0);
    });

    it("uploading a blob the repository already has succeeds again (201)", async () => {
      const bytes = bytesOf(777, 13);
      await pushBlob(v2, "spec/twice", bytes);
      await pushBlob(v2, "spec/twice", bytes);
      const location = await startUpload("spec/twice");
      const put = await v2.request(withDigest(location, sha256(bytes)), { method: "PUT", body: bytes });
      expect(put.status, await put.clone().text()).toBe(201);
      await expectBlob("spec/twice", bytes);
    });
  });

  describe("end-2: blob reads", () => {
    const name = "spec/reads";
    const bytes = bytesOf(1_000, 14);
    let digest: string;
    beforeAll(async () => {
      digest = await pushBlob(v2, name, bytes);
    });

    it("HEAD and GET answer 200 with Content-Length, Docker-Content-Digest and Accept-Ranges", async () => {
      await expectBlob(name, bytes);
      const get = await v2.request(`/v2/${name}/blobs/${digest}`);
      expect(get.headers.get("accept-ranges")).toBe("bytes");
      expect(get.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
      await get.arrayBuffer();
    });

    it("a Range request answers 206 with Content-Range and exactly those bytes", async () => {
      for (const [range, start, end] of [
        ["bytes=10-19", 10, 19],
        ["bytes=0-0", 0, 0],
        ["bytes=990-", 990, 999],
        ["bytes=-5", 995, 999],
        ["bytes=900-5000", 900, 999],
      ] as const) {
        const response = await v2.request(`/v2/${name}/blobs/${digest}`, { headers: { range } });
        expect(response.status, range).toBe(206);
        expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/1000`);
        expect(response.headers.get("content-length")).toBe(String(end - start + 1));
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes.subarray(start, end + 1));
      }
    });

    it("an unsatisfiable or malformed Range answers 416 with Content-Range: bytes */<size>", async () => {
      for (const range of [
        "bytes=1000-",
        "bytes=50-40",
        "bytes=2000-3000",
        "bytes=-0",
        "items=0-1",
        "bytes=a-b",
      ]) {
        const response = await v2.request(`/v2/${name}/blobs/${digest}`, { headers: { range } });
        expect(response.status, range).toBe(416);
        expect(response.headers.get("content-range")).toBe("bytes */1000");
        await response.arrayBuffer();
      }
    });

    it("blobs are scoped to their repository: another repository answers BLOB_UNKNOWN", async () => {
      await pushBlob(v2, "spec/reads-other", bytesOf(5, 15));
      await expectOciError(await v2.request(`/v2/spec/reads-other/blobs/${digest}`), 404, "BLOB_UNKNOWN");
      const head = await v2.request(`/v2/spec/reads-other/blobs/${digest}`, { method: "HEAD" });
      expect(head.status).toBe(404);
      expect(await head.text()).toBe("");
    });
  });

  describe("end-3, end-7, end-9: manifests", () => {
    it("PUT by tag keeps the bytes exactly (odd whitespace); GET and HEAD by tag and by digest", async () => {
      const name = "spec/manifests";
      const { config, layers } = await pushImageBlobs(v2, name, "whitespace", [bytesOf(300, 16)]);
      const manifest =
        `{\n   "schemaVersion" :  2 ,\t"mediaType":"${MediaTypes.ociManifest}",\r\n` +
        `"config":{"mediaType":"${MediaTypes.ociConfig}","digest":"${sha256(config)}","size":${config.length}},` +
        `  "layers" : [ {"mediaType":"${MediaTypes.ociLayer}","digest":"${sha256(layers[0]!)}","size":300} ],` +
        ` "annotations": {"note": "caf\u00e9 \u2603"}\n}\n\n`;
      const digest = sha256(manifest);
      const put = await putManifest(v2, name, "odd", manifest);
      expect(put.status, await put.clone().text()).toBe(201);
      expect(put.headers.get("location")).toBe(`/v2/${name}/manifests/${digest}`);
      expect(put.headers.get("docker-content-digest")).toBe(digest);
      expect(put.headers.get("oci-subject")).toBeNull();

      const expected = Buffer.from(manifest, "utf8");
      for (const reference of ["odd", digest]) {
        const get = await v2.request(`/v2/${name}/manifests/${reference}`, {
          headers: { accept: MediaTypes.ociManifest },
        });
        expect(get.status).toBe(200);
        expect(get.headers.get("content-type")).toBe(MediaTypes.ociManifest);
        expect(get.headers.get("docker-content-digest")).toBe(digest);
        expect(get.headers.get("content-length")).toBe(String(expected.length));
        expect((await bodyBytes(get)).equals(expected)).toBe(true);

        const head = await v2.request(`/v2/${name}/manifests/${reference}`, {
          method: "HEAD",
          headers: { accept: MediaTypes.ociManifest },
        });
        expect(head.status).toBe(200);
        expect(head.headers.get("content-length")).toBe(String(expected.length));
        expect(head.headers.get("docker-content-digest")).toBe(digest);
        expect(head.headers.get("content-type")).toBe(MediaTypes.ociManifest);
        expect(await head.text()).toBe("");
      }
      // The Location of the PUT is pullable.
      const pulled = await v2.request(put.headers.get("location")!);
      expect((await bodyBytes(pulled)).equals(expected)).toBe(true);
    });

    it("PUT by digest stores an untagged manifest; a digest that does not match the bytes is DIGEST_INVALID", async () => {
      const name = "spec/by-digest";
      const { manifest } = await pushImageBlobs(v2, name, "by digest");
      const digest = sha256(manifest);
      const put = await putManifest(v2, name, digest, manifest);
      expect(put.status, await put.clone().text()).toBe(201);
      expect(put.headers.get("docker-content-digest")).toBe(digest);
      const get = await v2.request(`/v2/${name}/manifests/${digest}`);
      expect(await get.text()).toBe(manifest);
      expect(await (await v2.request(`/v2/${name}/tags/list`)).json()).toEqual({ name, tags: [] });

      const wrong = sha256("something else");
      await expectOciError(await putManifest(v2, name, wrong, manifest), 400, "DIGEST_INVALID");
      await expectOciError(await v2.request(`/v2/${name}/manifests/${wrong}`), 404, "MANIFEST_UNKNOWN");
    });

    it("a manifest without a mediaType field takes its type from Content-Type (and needs one)", async () => {
      const name = "spec/bare";
      const { manifest } = await pushImageBlobs(v2, name, "bare", [bytesOf(40, 28)]);
      const bare = JSON.stringify({ ...(JSON.parse(manifest) as object), mediaType: undefined });
      expect(bare).not.toContain('"mediaType":"application/vnd.oci.image.manifest.v1+json"');
      const put = await putManifest(v2, name, "bare", bare, `${MediaTypes.ociManifest}; charset=utf-8`);
      expect(put.status, await put.clone().text()).toBe(201);
      const get = await v2.request(`/v2/${name}/manifests/bare`);
      expect(get.headers.get("content-type")).toBe(MediaTypes.ociManifest);
      expect(await get.text()).toBe(bare);

      const other = JSON.stringify({ ...(JSON.parse(bare) as object), annotations: { other: "yes" } });
      await expectOciError(
        await putManifest(v2, name, "untyped", other, "application/octet-stream"),
        400,
        "MANIFEST_INVALID",
      );
    });

    it("a Docker schema 2 manifest round-trips with its own media type", async () => {
      const name = "spec/docker";
      const config = new TextEncoder().encode(JSON.stringify({ architecture: "arm64", os: "linux" }));
      const layer = bytesOf(222, 17);
      await pushBlob(v2, name, config);
      await pushBlob(v2, name, layer);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.dockerManifest,
        config: { mediaType: MediaTypes.dockerConfig, digest: sha256(config), size: config.length },
        layers: [{ mediaType: MediaTypes.dockerLayer, digest: sha256(layer), size: layer.length }],
      });
      const put = await putManifest(v2, name, "v2s2", manifest, MediaTypes.dockerManifest);
      expect(put.status, await put.clone().text()).toBe(201);
      const get = await v2.request(`/v2/${name}/manifests/v2s2`, {
        headers: { accept: MediaTypes.dockerManifest },
      });
      expect(get.status).toBe(200);
      expect(get.headers.get("content-type")).toBe(MediaTypes.dockerManifest);
      expect(await get.text()).toBe(manifest);
    });

    it("re-PUT of the same manifest and tag succeeds (201) and changes nothing", async () => {
      const name = "spec/re-put";
      const image = await pushImage(v2, name, "stable");
      for (let i = 0; i < 2; i++) {
        const again = await putManifest(v2, name, "stable", image.bytes);
        expect(again.status, await again.clone().text()).toBe(201);
        expect(again.headers.get("docker-content-digest")).toBe(image.digest);
      }
      const byDigest = await putManifest(v2, name, image.digest, image.bytes);
      expect(byDigest.status).toBe(201);
      const alias = await putManifest(v2, name, "alias", image.bytes);
      expect(alias.status).toBe(201);
      expect(await (await v2.request(`/v2/${name}/tags/list`)).json()).toEqual({
        name,
        tags: ["alias", "stable"],
      });
    });

    it("a tag moves to the manifest pushed last", async () => {
      const name = "spec/moving";
      const first = await pushImage(v2, name, "latest", [bytesOf(10, 18)]);
      const second = await pushImage(v2, name, "latest", [bytesOf(10, 19)]);
      expect(second.digest).not.toBe(first.digest);
      const get = await v2.request(`/v2/${name}/manifests/latest`);
      expect(get.headers.get("docker-content-digest")).toBe(second.digest);
      await get.arrayBuffer();
      // The first image is still there by digest (untagged).
      expect((await v2.request(`/v2/${name}/manifests/${first.digest}`, { method: "HEAD" })).status).toBe(
        200,
      );
    });

    it("DELETE by tag removes the tag (202); DELETE by digest removes the manifest and its tags", async () => {
      const name = "spec/delete";
      const image = await pushImage(v2, name, "one");
      expect((await putManifest(v2, name, "two", image.bytes)).status).toBe(201);

      const untag = await v2.request(`/v2/${name}/manifests/one`, { method: "DELETE" });
      expect(untag.status).toBe(202);
      await expectOciError(await v2.request(`/v2/${name}/manifests/one`), 404, "MANIFEST_UNKNOWN");
      expect((await v2.request(`/v2/${name}/manifests/two`, { method: "HEAD" })).status).toBe(200);

      const deleted = await v2.request(`/v2/${name}/manifests/${image.digest}`, { method: "DELETE" });
      expect(deleted.status).toBe(202);
      await expectOciError(
        await v2.request(`/v2/${name}/manifests/${image.digest}`),
        404,
        "MANIFEST_UNKNOWN",
      );
      await expectOciError(await v2.request(`/v2/${name}/manifests/two`), 404, "MANIFEST_UNKNOWN");
      const head = await v2.request(`/v2/${name}/manifests/two`, { method: "HEAD" });
      expect(head.status).toBe(404);
      expect(await head.text()).toBe("");
      await expectOciError(
        await v2.request(`/v2/${name}/manifests/${image.digest}`, { method: "DELETE" }),
        404,
        "MANIFEST_UNKNOWN",
      );
      await expectOciError(
        await v2.request(`/v2/${name}/manifests/nothing`, { method: "DELETE" }),
        404,
        "MANIFEST_UNKNOWN",
      );
    });

    describe("an OCI index and Accept negotiation", () => {
      const name = "spec/index";
      let index: BuiltManifest;
      let children: BuiltManifest[];
      beforeAll(async () => {
        children = [
          await pushImage(v2, name, "amd64", [bytesOf(50, 20)]),
          await pushImage(v2, name, "arm64", [bytesOf(50, 21)]),
        ];
        index = built(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaTypes.ociIndex,
            manifests: children.map((child, i) => ({
              mediaType: MediaTypes.ociManifest,
              digest: child.digest,
              size: Buffer.byteLength(child.bytes),
              platform: { architecture: ["amd64", "arm64"][i], os: "linux" },
            })),
          }),
          MediaTypes.ociIndex,
        );
        const put = await putManifest(v2, name, "multi", index.bytes, MediaTypes.ociIndex);
        expect(put.status, await put.clone().text()).toBe(201);
      });

      it("an index asked for with only the Docker manifest type in Accept is MANIFEST_UNKNOWN (404)", async () => {
        const response = await v2.request(`/v2/${name}/manifests/multi`, {
          headers: { accept: MediaTypes.dockerManifest },
        });
        await expectOciError(response, 404, "MANIFEST_UNKNOWN");
        const head = await v2.request(`/v2/${name}/manifests/multi`, {
          method: "HEAD",
          headers: { accept: `${MediaTypes.dockerManifest}, ${MediaTypes.ociManifest}` },
        });
        expect(head.status).toBe(404);
      });

      it("*/*, the index type, several types or no Accept at all get the index (200)", async () => {
        for (const accept of [
          "*/*",
          MediaTypes.ociIndex,
          `${MediaTypes.dockerManifest}, ${MediaTypes.ociIndex};q=0.9`,
          `${MediaTypes.ociManifest},${MediaTypes.dockerList},${MediaTypes.ociIndex}`,
          undefined,
        ]) {
          const response = await v2.request(`/v2/${name}/manifests/multi`, {
            headers: accept === undefined ? {} : { accept },
          });
          expect(response.status, `Accept: ${accept}`).toBe(200);
          expect(response.headers.get("content-type")).toBe(MediaTypes.ociIndex);
          expect(response.headers.get("docker-content-digest")).toBe(index.digest);
          expect(await response.text()).toBe(index.bytes);
        }
      });

      it("DENIED: a manifest an index references cannot be deleted until the index is gone", async () => {
        const child = children[0]!;
        const refused = await v2.request(`/v2/${name}/manifests/${child.digest}`, { method: "DELETE" });
        const error = await expectOciError(refused, 400, "DENIED");
        expect(error.message).toMatch(/manifest list/);
        // Its last tag cannot go either (the image would go with it).
        await expectOciError(
          await v2.request(`/v2/${name}/manifests/amd64`, { method: "DELETE" }),
          400,
          "DENIED",
        );
        expect((await v2.request(`/v2/${name}/manifests/${child.digest}`, { method: "HEAD" })).status).toBe(
          200,
        );

        expect((await v2.request(`/v2/${name}/manifests/${index.digest}`, { method: "DELETE" })).status).toBe(
          202,
        );
        expect((await v2.request(`/v2/${name}/manifests/${child.digest}`, { method: "DELETE" })).status).toBe(
          202,
        );
      });
    });

    describe("end-12: subject and the referrers API", () => {
      const name = "spec/referrers";
      let subject: BuiltManifest;
      beforeAll(async () => {
        subject = await pushImage(v2, name, "app");
        await pushBlob(v2, name, EMPTY_JSON);
      });

      const artifact = (artifactType: string | undefined, note: string, config = EMPTY_CONFIG) =>
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaTypes.ociManifest,
          ...(artifactType === undefined ? {} : { artifactType }),
          config,
          layers: [EMPTY_CONFIG],
          subject: {
            mediaType: MediaTypes.ociManifest,
            digest: subject.digest,
            size: Buffer.byteLength(subject.bytes),
          },
          annotations: { "org.example.note": note },
        });

      it("with no referrers: 200 and an empty OCI index (also for a digest the repository lacks)", async () => {
        for (const digest of [subject.digest, sha256("absent")]) {
          const response = await v2.request(`/v2/${name}/referrers/${digest}`);
          expect(response.status).toBe(200);
          expect(response.headers.get("content-type")).toBe(MediaTypes.ociIndex);
          expect(response.headers.get("oci-filters-applied")).toBeNull();
          expect(await response.json()).toEqual({
            schemaVersion: 2,
            mediaType: MediaTypes.ociIndex,
            manifests: [],
          });
        }
      });

      it("PUT of a manifest with a subject answers OCI-Subject; referrers list it, filtered by artifactType", async () => {
        const sbom = artifact("application/vnd.example.sbom.v1", "sbom");
        const signature = artifact("application/vnd.example.signature.v1", "signature");
        const plain = artifact(undefined, "no artifactType", {
          ...EMPTY_CONFIG,
          mediaType: "application/vnd.example.config.v1+json",
        });
        await pushBlob(v2, name, EMPTY_JSON); // already there: fine
        for (const manifest of [sbom, signature, plain]) {
          const put = await putManifest(v2, name, sha256(manifest), manifest);
          expect(put.status, await put.clone().text()).toBe(201);
          expect(put.headers.get("oci-subject")).toBe(subject.digest);
        }

        const all = await v2.request(`/v2/${name}/referrers/${subject.digest}`);
        expect(all.status).toBe(200);
        const listed = (await all.json()) as { manifests: Array<Record<string, unknown>> };
        const descriptor = (manifest: string, artifactType: string, note: string) => ({
          mediaType: MediaTypes.ociManifest,
          digest: sha256(manifest),
          size: Buffer.byteLength(manifest),
          artifactType,
          annotations: { "org.example.note": note },
        });
        expect(listed.manifests).toHaveLength(3);
        expect(listed.manifests).toEqual(
          expect.arrayContaining([
            descriptor(sbom, "application/vnd.example.sbom.v1", "sbom"),
            descriptor(signature, "application/vnd.example.signature.v1", "signature"),
            // No artifactType: the config's media type stands in (spec, "Listing Referrers").
            descriptor(plain, "application/vnd.example.config.v1+json", "no artifactType"),
          ]),
        );

        const filtered = await v2.request(
          `/v2/${name}/referrers/${subject.digest}?artifactType=${encodeURIComponent("application/vnd.example.sbom.v1")}`,
        );
        expect(filtered.status).toBe(200);
        expect(filtered.headers.get("oci-filters-applied")).toBe("artifactType");
        expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toEqual([
          descriptor(sbom, "application/vnd.example.sbom.v1", "sbom"),
        ]);

        const none = await v2.request(
          `/v2/${name}/referrers/${subject.digest}?artifactType=application/x-none`,
        );
        expect(none.headers.get("oci-filters-applied")).toBe("artifactType");
        expect(((await none.json()) as { manifests: unknown[] }).manifests).toEqual([]);

        // A deleted referrer leaves the list.
        expect(
          (await v2.request(`/v2/${name}/manifests/${sha256(signature)}`, { method: "DELETE" })).status,
        ).toBe(202);
        const after = (await (await v2.request(`/v2/${name}/referrers/${subject.digest}`)).json()) as {
          manifests: Array<{ digest: string }>;
        };
        expect(after.manifests.map((m) => m.digest).sort()).toEqual([sha256(sbom), sha256(plain)].sort());
      });

      it("an invalid digest is 400", async () => {
        const response = await v2.request(`/v2/${name}/referrers/sha256:nothex`);
        await expectOciError(response, 400, "DIGEST_INVALID");
      });
    });
  });

  describe("end-8: tags list", () => {
    const name = "spec/tags";
    const tags = ["v10", "v2", "alpha", "Beta", "_x", "v1.0", "latest", "a-b", "v1"];
    const sorted = [...tags].sort(); // code-unit ("ASCIIbetical") order, as Go's sort.Strings
    beforeAll(async () => {
      const image = await pushImage(v2, name, tags[0]!);
      for (const tag of tags.slice(1)) {
        const put = await putManifest(v2, name, tag, image.bytes);
        expect(put.status).toBe(201);
      }
    });

    it("lists every tag in lexical order, without a Link header", async () => {
      const response = await v2.request(`/v2/${name}/tags/list`);
      expect(response.status).toBe(200);
      expect(response.headers.get("link")).toBeNull();
      expect(await response.json()).toEqual({ name, tags: sorted });
      expect(sorted).toEqual(["Beta", "_x", "a-b", "alpha", "latest", "v1", "v1.0", "v10", "v2"]);
    });

    it("pages with n and last, following the Link header to the end", async () => {
      const seen: string[] = [];
      let next: string | undefined = `/v2/${name}/tags/list?n=4`;
      let pages = 0;
      while (next !== undefined && pages < 10) {
        const response = await v2.request(next);
        expect(response.status).toBe(200);
        const page = (await response.json()) as { name: string; tags: string[] };
        expect(page.name).toBe(name);
        pages += 1;
        seen.push(...page.tags);
        const link = response.headers.get("link");
        if (link === null) {
          next = undefined;
          expect(page.tags.length).toBeLessThanOrEqual(4);
        } else {
          expect(page.tags).toHaveLength(4);
          const match = /^<([^>]+)>; rel="next"$/.exec(link);
          expect(match, link).not.toBeNull();
          expect(match![1]).toBe(`/v2/${name}/tags/list?n=4&last=${encodeURIComponent(page.tags.at(-1)!)}`);
          next = match![1];
        }
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(sorted);
    });

    it("last alone returns everything after it; n=0 is an empty list without Link; n past the end has no Link", async () => {
      const after = await v2.request(`/v2/${name}/tags/list?last=latest`);
      expect(await after.json()).toEqual({ name, tags: ["v1", "v1.0", "v10", "v2"] });
      const between = await v2.request(`/v2/${name}/tags/list?n=2&last=b`);
      expect(((await between.json()) as { tags: string[] }).tags).toEqual(["latest", "v1"]);

      const zero = await v2.request(`/v2/${name}/tags/list?n=0`);
      expect(zero.status).toBe(200);
      expect(zero.headers.get("link")).toBeNull();
      expect(await zero.json()).toEqual({ name, tags: [] });

      const all = await v2.request(`/v2/${name}/tags/list?n=${tags.length}`);
      expect(all.headers.get("link")).toBeNull();
      expect(((await all.json()) as { tags: string[] }).tags).toEqual(sorted);
      const end = await v2.request(`/v2/${name}/tags/list?n=3&last=v2`);
      expect(end.headers.get("link")).toBeNull();
      expect(await end.json()).toEqual({ name, tags: [] });
    });
  });

  describe("_catalog", () => {
    it("lists repositories in lexical order, paged with n and last and a Link header", async () => {
      const ecr = strict.client();
      const names = ["cat/c", "cat/a", "cat/b/deep", "cat/b", "zeta", "alpha"];
      for (const repositoryName of names) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      const catalog = ociClient(strict.endpoint);
      const sorted = [...names].sort();

      const whole = await catalog.request("/v2/_catalog");
      expect(whole.status).toBe(200);
      expect(await whole.json()).toEqual({ repositories: sorted });

      const seen: string[] = [];
      let next: string | undefined = "/v2/_catalog?n=4";
      let pages = 0;
      while (next !== undefined && pages < 10) {
        const response = await catalog.request(next);
        const page = (await response.json()) as { repositories: string[] };
        seen.push(...page.repositories);
        pages += 1;
        const link = response.headers.get("link");
        next = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)![1];
      }
      expect(pages).toBe(2);
      expect(seen).toEqual(sorted);

      const after = await catalog.request("/v2/_catalog?last=cat/b");
      expect(await after.json()).toEqual({ repositories: ["cat/b/deep", "cat/c", "zeta"] });
    });
  });

  describe("errors", () => {
    it("NAME_UNKNOWN: pushing to or reading a missing repository without create-on-push", async () => {
      const closed = ociClient(strict.endpoint);
      const bytes = bytesOf(10, 22);
      const name = "nobody/home";
      await expectOciError(
        await closed.request(`/v2/${name}/blobs/uploads/`, { method: "POST" }),
        404,
        "NAME_UNKNOWN",
      );
      await expectOciError(
        await closed.request(`/v2/${name}/blobs/uploads/?digest=${sha256(bytes)}`, {
          method: "POST",
          body: bytes,
        }),
        404,
        "NAME_UNKNOWN",
      );
      await expectOciError(await putManifest(closed, name, "v1", "{}"), 404, "NAME_UNKNOWN");
      await expectOciError(await closed.request(`/v2/${name}/manifests/v1`), 404, "NAME_UNKNOWN");
      await expectOciError(await closed.request(`/v2/${name}/blobs/${sha256(bytes)}`), 404, "NAME_UNKNOWN");
      await expectOciError(await closed.request(`/v2/${name}/tags/list`), 404, "NAME_UNKNOWN");
      await expectOciError(
        await closed.request(`/v2/${name}/referrers/${sha256(bytes)}`),
        404,
        "NAME_UNKNOWN",
      );
      await expectOciError(
        await closed.request(`/v2/${name}/manifests/v1`, { method: "DELETE" }),
        404,
        "NAME_UNKNOWN",
      );
      // The create-on-push server creates it instead.
      expect((await v2.request(`/v2/${name}/blobs/uploads/`, { method: "POST" })).status).toBe(202);
    });

    it("NAME_INVALID: names outside the repository name grammar", async () => {
      for (const name of ["Upper/Case", "a..b", "-lead", "trail-", "x", `${"a".repeat(257)}`, "a/b//c"]) {
        await expectOciError(
          await v2.request(`/v2/${name}/blobs/uploads/`, { method: "POST" }),
          400,
          "NAME_INVALID",
        );
        await expectOciError(await v2.request(`/v2/${name}/manifests/latest`), 400, "NAME_INVALID");
        await expectOciError(await v2.request(`/v2/${name}/tags/list`), 400, "NAME_INVALID");
      }
    });

    it("BLOB_UNKNOWN: a digest the repository does not hold (HEAD: 404 without a body)", async () => {
      await pushBlob(v2, "spec/errors", bytesOf(1, 23));
      const unknown = sha256("never uploaded");
      await expectOciError(await v2.request(`/v2/spec/errors/blobs/${unknown}`), 404, "BLOB_UNKNOWN");
      const head = await v2.request(`/v2/spec/errors/blobs/${unknown}`, { method: "HEAD" });
      expect(head.status).toBe(404);
      expect(await head.text()).toBe("");
    });

    it("BLOB_UPLOAD_UNKNOWN: a session id that was never issued", async () => {
      await pushBlob(v2, "spec/errors", bytesOf(1, 23));
      for (const id of [crypto.randomUUID(), "not-a-session"]) {
        const url = `/v2/spec/errors/blobs/uploads/${id}`;
        await expectOciError(await v2.request(url), 404, "BLOB_UPLOAD_UNKNOWN");
        await expectOciError(await patch(url, bytesOf(3, 1), "0-2"), 404, "BLOB_UPLOAD_UNKNOWN");
        await expectOciError(
          await v2.request(`${url}?digest=${EMPTY_SHA256}`, { method: "PUT" }),
          404,
          "BLOB_UPLOAD_UNKNOWN",
        );
        await expectOciError(await v2.request(url, { method: "DELETE" }), 404, "BLOB_UPLOAD_UNKNOWN");
      }
      // A session of another repository is unknown here.
      const elsewhere = await startUpload("spec/errors-elsewhere");
      const id = elsewhere.pathname.split("/").at(-1);
      await expectOciError(
        await v2.request(`/v2/spec/errors/blobs/uploads/${id}`),
        404,
        "BLOB_UPLOAD_UNKNOWN",
      );
    });

    it("BLOB_UPLOAD_INVALID: a chunk the upload cannot take (416, with the Range to resume from)", async () => {
      const location = await startUpload("spec/errors");
      expect((await patch(location, bytesOf(4, 2), "0-3")).status).toBe(202);
      const refused = await patch(location, bytesOf(4, 2), "8-11");
      expect(refused.headers.get("range")).toBe("0-3");
      await expectOciError(refused, 416, "BLOB_UPLOAD_INVALID");
    });

    it("DIGEST_INVALID: a closing digest that does not match the bytes, or is not a digest", async () => {
      const bytes = bytesOf(64, 24);
      const wrong = sha256("not these bytes");
      const location = await startUpload("spec/errors");
      await expectOciError(
        await v2.request(withDigest(location, wrong), { method: "PUT", body: bytes }),
        400,
        "DIGEST_INVALID",
      );
      // After a 4xx the upload is failed; its session is gone and nothing was stored.
      await expectOciError(await v2.request(location.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(await v2.request(`/v2/spec/errors/blobs/${wrong}`), 404, "BLOB_UNKNOWN");
      await expectOciError(await v2.request(`/v2/spec/errors/blobs/${sha256(bytes)}`), 404, "BLOB_UNKNOWN");

      await expectOciError(
        await v2.request(`/v2/spec/errors/blobs/uploads/?digest=${wrong}`, { method: "POST", body: bytes }),
        400,
        "DIGEST_INVALID",
      );
      const other = await startUpload("spec/errors");
      await expectOciError(
        await v2.request(withDigest(other, "sha256:xyz"), { method: "PUT", body: bytes }),
        400,
        "DIGEST_INVALID",
      );
      const noDigest = await startUpload("spec/errors");
      await expectOciError(
        await v2.request(noDigest.toString(), { method: "PUT", body: bytes }),
        400,
        "DIGEST_INVALID",
      );
      await expectOciError(await v2.request("/v2/spec/errors/blobs/sha256:abc"), 400, "DIGEST_INVALID");
    });

    it("MANIFEST_UNKNOWN: a tag or digest the repository does not hold", async () => {
      await pushBlob(v2, "spec/errors", bytesOf(1, 23));
      await expectOciError(await v2.request("/v2/spec/errors/manifests/missing"), 404, "MANIFEST_UNKNOWN");
      await expectOciError(
        await v2.request(`/v2/spec/errors/manifests/${sha256("x")}`),
        404,
        "MANIFEST_UNKNOWN",
      );
      const head = await v2.request("/v2/spec/errors/manifests/missing", { method: "HEAD" });
      expect(head.status).toBe(404);
      expect(await head.text()).toBe("");
    });

    it("MANIFEST_INVALID: bytes that are not a manifest", async () => {
      const name = "spec/errors";
      await pushBlob(v2, name, bytesOf(1, 23));
      for (const body of [
        "{not json",
        "[1,2,3]",
        "null",
        JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: "nope" }),
        JSON.stringify({ schemaVersion: 2, mediaType: "application/x-unknown" }),
      ]) {
        const error = await expectOciError(await putManifest(v2, name, "bad", body), 400, "MANIFEST_INVALID");
        expect(error.message.length).toBeGreaterThan(0);
      }
      // A tag no manifest can have (ECR: 1 to 300 characters).
      const longTag = "t".repeat(301);
      await expectOciError(await putManifest(v2, name, longTag, "{}"), 400, "MANIFEST_INVALID");
      await expectOciError(await v2.request(`/v2/${name}/manifests/${longTag}`), 404, "MANIFEST_UNKNOWN");
      // Not UTF-8.
      const latin1 = await v2.request(`/v2/${name}/manifests/bad`, {
        method: "PUT",
        headers: { "content-type": MediaTypes.ociManifest },
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      });
      await expectOciError(latin1, 400, "MANIFEST_INVALID");
      // A mediaType that contradicts the Content-Type.
      const { manifest } = await pushImageBlobs(v2, name, "mismatch");
      await expectOciError(
        await putManifest(v2, name, "bad", manifest, MediaTypes.dockerManifest),
        400,
        "MANIFEST_INVALID",
      );
      await expectOciError(await v2.request(`/v2/${name}/manifests/bad`), 404, "MANIFEST_UNKNOWN");
    });

    it("MANIFEST_BLOB_UNKNOWN: a manifest referencing a missing layer, or an index a missing manifest", async () => {
      const name = "spec/errors-blobs";
      const { manifest } = await pushImageBlobs(v2, name, "missing layer");
      const missing = bytesOf(99, 25);
      const withMissingLayer = JSON.stringify({
        ...(JSON.parse(manifest) as object),
        layers: [{ mediaType: MediaTypes.ociLayer, digest: sha256(missing), size: 99 }],
      });
      const error = await expectOciError(
        await putManifest(v2, name, "v1", withMissingLayer),
        400,
        "MANIFEST_BLOB_UNKNOWN",
      );
      expect(error.message).toContain(sha256(missing));

      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [{ mediaType: MediaTypes.ociManifest, digest: sha256(manifest), size: manifest.length }],
      });
      await expectOciError(
        await putManifest(v2, name, "multi", index, MediaTypes.ociIndex),
        400,
        "MANIFEST_BLOB_UNKNOWN",
      );
      // Once the layer and the child are there, both go in.
      await pushBlob(v2, name, missing);
      expect((await putManifest(v2, name, "v1", withMissingLayer)).status).toBe(201);
      expect((await putManifest(v2, name, sha256(manifest), manifest)).status).toBe(201);
      expect((await putManifest(v2, name, "multi", index, MediaTypes.ociIndex)).status).toBe(201);
    });

    it("SIZE_INVALID: a manifest over 4 MiB is refused with 413; one of exactly 4 MiB is accepted", async () => {
      const name = "spec/errors-size";
      const { manifest } = await pushImageBlobs(v2, name, "size");
      const limit = 4 * 1024 * 1024;
      const padded = (length: number) => {
        const parsed = JSON.parse(manifest) as Record<string, unknown>;
        const base = JSON.stringify({ ...parsed, annotations: { pad: "" } });
        return JSON.stringify({ ...parsed, annotations: { pad: "x".repeat(length - base.length) } });
      };
      const exact = padded(limit);
      expect(Buffer.byteLength(exact)).toBe(limit);
      const accepted = await putManifest(v2, name, "exact", exact);
      expect(accepted.status, await accepted.clone().text()).toBe(201);
      const pulled = await v2.request(`/v2/${name}/manifests/exact`);
      expect((await pulled.text()).length).toBe(limit);

      await expectOciError(await putManifest(v2, name, "over", padded(limit + 1)), 413, "SIZE_INVALID");
      // Streamed without a Content-Length, it is refused once the count passes the limit.
      const over = new TextEncoder().encode(padded(limit + 1));
      let offset = 0;
      const streamed = await v2.request(`/v2/${name}/manifests/over`, {
        method: "PUT",
        headers: { "content-type": MediaTypes.ociManifest },
        body: new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= over.length) return controller.close();
            controller.enqueue(over.slice(offset, offset + 65_536));
            offset += 65_536;
          },
        }),
        duplex: "half",
      } as RequestInit);
      await expectOciError(streamed, 413, "SIZE_INVALID");
      await expectOciError(await v2.request(`/v2/${name}/manifests/over`), 404, "MANIFEST_UNKNOWN");
    });

    it("UNAUTHORIZED: a server with credentials answers 401 with WWW-Authenticate", async () => {
      const anonymous = ociClient(guarded.endpoint);
      for (const path of ["/v2/", "/v2/team/app/tags/list", "/v2/_catalog"]) {
        const response = await anonymous.request(path);
        expect(response.headers.get("www-authenticate")).toBe(
          `Basic realm="${guarded.endpoint}",service="ecr.amazonaws.com"`,
        );
        expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
        await expectOciError(response, 401, "UNAUTHORIZED");
      }
      const head = await anonymous.request("/v2/team/app/manifests/latest", { method: "HEAD" });
      expect(head.status).toBe(401);
      expect(await head.text()).toBe("");
    });

    it("UNSUPPORTED: deleting a blob (405), and methods a route does not serve", async () => {
      const digest = await pushBlob(v2, "spec/errors", bytesOf(1, 23));
      await expectOciError(
        await v2.request(`/v2/spec/errors/blobs/${digest}`, { method: "DELETE" }),
        405,
        "UNSUPPORTED",
      );
      // The blob is still there.
      expect((await v2.request(`/v2/spec/errors/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
      await expectOciError(
        await v2.request("/v2/spec/errors/tags/list", { method: "POST" }),
        405,
        "UNSUPPORTED",
      );
      await expectOciError(
        await v2.request("/v2/spec/errors/manifests/latest", { method: "PATCH" }),
        405,
        "UNSUPPORTED",
      );
      await expectOciError(
        await v2.request(`/v2/spec/errors/referrers/${digest}`, { method: "DELETE" }),
        405,
        "UNSUPPORTED",
      );
    });

    it("UNSUPPORTED: a method the route × method table does not list is 405, never another route's work", async () => {
      const digest = await pushBlob(v2, "spec/table", bytesOf(1, 29));
      for (const [path, method] of [
        [`/v2/spec/table/blobs/${digest}`, "PUT"],
        [`/v2/spec/table/blobs/${digest}`, "POST"],
        ["/v2/spec/table/blobs/uploads/", "GET"],
        ["/v2/spec/table/blobs/uploads/", "PUT"],
        ["/v2/_catalog", "POST"],
        ["/v2/", "DELETE"],
      ] as const) {
        await expectOciError(await v2.request(path, { method }), 405, "UNSUPPORTED");
      }
      expect((await v2.request("/v2/", { method: "HEAD" })).status).toBe(200);
    });

    it("TAG_INVALID (an ECR extension, outside the spec's list): an immutable tag cannot move", async () => {
      const name = "spec/immutable";
      const first = await pushImage(v2, name, "release", [bytesOf(5, 26)]);
      await berth
        .client()
        .send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }));
      const { manifest } = await pushImageBlobs(v2, name, "second", [bytesOf(5, 27)]);
      const refused = await putManifest(v2, name, "release", manifest);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { errors: Array<{ code: string; message: string }> };
      // ECR answers docker with TAG_INVALID here ("tag invalid: … the repository is immutable").
      expect(body.errors[0]?.code).toBe("TAG_INVALID");
      expect(body.errors[0]?.message).toMatch(/immutable/);
      // Re-pushing the same manifest under it is still fine.
      expect((await putManifest(v2, name, "release", first.bytes)).status).toBe(201);
    });
  });
});
