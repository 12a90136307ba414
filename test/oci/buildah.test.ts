/**
 * End to end with buildah and podman (containers/storage + containers/image), real registry clients:
 * an image built from scratch (`buildah from scratch`, `copy`, `config`, `commit`) is pushed to
 * Berth, pulled back into an empty store, and compared digest by digest and byte by byte (the
 * pulled image's file, read through `buildah mount`); a Docker-format commit, a podman push of what
 * it pulled into another repository, a multi-platform manifest list, and auth with an ECR token.
 * Missing tools are a failure with install instructions, never a skip.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import {
  type ContainerTools,
  createContainerTools,
  registryRef,
  requireTool,
  type ToolRun,
} from "../support/oci-buildah.js";
import {
  basicAuth,
  bodyBytes,
  MediaTypes,
  type OciClient,
  ociClient,
  sha256,
} from "../support/oci-client.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];
const ACCEPT_ANY = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerList,
].join(", ");

/** Builds `name` from scratch: one file of random bytes (and a label), committed in `format`. */
async function buildFromScratch(
  tools: ContainerTools,
  name: string,
  options: { readonly format?: "oci" | "docker"; readonly arch?: string } = {},
): Promise<{ readonly payload: Buffer; readonly imageId: string }> {
  const payload = randomBytes(96 * 1024);
  const file = join(tools.dir, `${name.replaceAll(/[/:]/g, "_")}.bin`);
  await writeFile(file, payload);
  const container = (await tools.buildah(["from", "scratch"])).stdout.trim();
  await tools.buildah(["copy", container, file, "/payload.bin"]);
  await tools.buildah([
    "config",
    "--label",
    `berth.test=${name}`,
    "--cmd",
    "/payload.bin",
    ...(options.arch === undefined ? [] : ["--arch", options.arch]),
    container,
  ]);
  const imageId = (
    await tools.buildah(["commit", "--quiet", "--format", options.format ?? "oci", "--rm", container, name])
  ).stdout.trim();
  return { payload, imageId };
}

/** Pushes with `--digestfile`: the manifest digest the client computed over the bytes it sent. */
async function push(run: ToolRun, dir: string, args: ReadonlyArray<string>): Promise<string> {
  const digestFile = join(dir, `digest-${randomBytes(4).toString("hex")}`);
  await run(["push", "--tls-verify=false", "--digestfile", digestFile, ...args]);
  return (await readFile(digestFile, "utf8")).trim();
}

/** Berth serves the manifest under `digest`, byte-exact, with every blob it names. */
async function expectServed(v2: OciClient, name: string, reference: string, digest: string) {
  const response = await v2.request(`/v2/${name}/manifests/${reference}`, {
    headers: { accept: ACCEPT_ANY },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("docker-content-digest")).toBe(digest);
  const text = await response.text();
  expect(sha256(text)).toBe(digest);
  const manifest = JSON.parse(text) as {
    mediaType?: string;
    config?: { digest: string };
    layers?: Array<{ digest: string }>;
  };
  for (const blob of [manifest.config, ...(manifest.layers ?? [])]) {
    if (blob === undefined) continue;
    const served = await v2.request(`/v2/${name}/blobs/${blob.digest}`);
    expect(served.status, blob.digest).toBe(200);
    expect(sha256(await bodyBytes(served))).toBe(blob.digest);
  }
  return manifest;
}

describe.each(STORAGES)("buildah and podman against Berth on %s storage", (storage) => {
  let berth: RunningBerth;
  let v2: OciClient;
  let tools: ContainerTools;

  beforeAll(async () => {
    await requireTool("buildah");
    await requireTool("podman");
    tools = await createContainerTools();
    berth = await startBerth({ storage, createOnPush: true });
    v2 = ociClient(berth.endpoint);
  });
  afterAll(async () => {
    await berth?.stop();
    await tools?.cleanup();
  });

  const ref = (nameAndTag: string) => registryRef(berth.port, nameAndTag);

  it("buildah builds from scratch, pushes, and pulls back into an empty store: same digests, same file", async () => {
    const { payload, imageId } = await buildFromScratch(tools, "localhost/built/app:v1");
    const digest = await push(tools.buildah, tools.dir, [
      "localhost/built/app:v1",
      `docker://${ref("team/app:v1")}`,
    ]);

    const manifest = await expectServed(v2, "team/app", "v1", digest);
    expect(manifest.mediaType).toBe(MediaTypes.ociManifest);
    // containers/storage names an image by its config's digest.
    expect(manifest.config?.digest).toBe(`sha256:${imageId}`);

    const empty = await tools.store("pull-buildah");
    const pulledId = (
      await empty.buildah(["pull", "--quiet", "--tls-verify=false", `docker://${ref("team/app:v1")}`])
    ).stdout.trim();
    expect(pulledId).toBe(imageId);
    const images = JSON.parse((await empty.buildah(["images", "--digests", "--json"])).stdout) as Array<{
      digest: string;
      names: string[];
    }>;
    expect(images).toEqual([expect.objectContaining({ digest, names: [ref("team/app:v1")] })]);

    // The layer unpacked from what Berth served holds the very bytes that went in.
    const container = (await empty.buildah(["from", ref("team/app:v1")])).stdout.trim();
    const root = (await empty.buildah(["mount", container])).stdout.trim();
    expect((await readFile(join(root, "payload.bin"))).equals(payload)).toBe(true);
    await empty.buildah(["umount", container]);
  });

  it("a Docker-format commit goes up as a Docker schema 2 manifest and podman pulls it by digest", async () => {
    const { imageId } = await buildFromScratch(tools, "localhost/built/app:docker", { format: "docker" });
    const digest = await push(tools.buildah, tools.dir, [
      "localhost/built/app:docker",
      `docker://${ref("team/app-docker:v1")}`,
    ]);
    const manifest = await expectServed(v2, "team/app-docker", "v1", digest);
    expect(manifest.mediaType).toBe(MediaTypes.dockerManifest);

    const empty = await tools.store("pull-podman");
    await empty.podman(["pull", "--quiet", "--tls-verify=false", ref(`team/app-docker@${digest}`)]);
    const inspected = JSON.parse(
      (await empty.podman(["image", "inspect", ref(`team/app-docker@${digest}`)])).stdout,
    ) as Array<{
      Id: string;
      Digest: string;
    }>;
    expect(inspected.map(({ Id, Digest }) => ({ Id, Digest }))).toEqual([{ Id: imageId, Digest: digest }]);
  });

  it("podman pushes a pulled image on to another repository and keeps its digest", async () => {
    await buildFromScratch(tools, "localhost/built/app:hop");
    const digest = await push(tools.buildah, tools.dir, [
      "localhost/built/app:hop",
      `docker://${ref("team/hop-a:v1")}`,
    ]);
    const empty = await tools.store("hop");
    await empty.podman(["pull", "--quiet", "--tls-verify=false", ref("team/hop-a:v1")]);
    const again = await push(empty.podman, tools.dir, [
      ref("team/hop-a:v1"),
      `docker://${ref("team/hop-b:v1")}`,
    ]);
    expect(again).toBe(digest);
    await expectServed(v2, "team/hop-b", "v1", digest);
  });

  it("pushes a two-platform manifest list with --all; Berth serves the index and both images", async () => {
    await buildFromScratch(tools, "localhost/built/multi:amd64", { arch: "amd64" });
    await buildFromScratch(tools, "localhost/built/multi:arm64", { arch: "arm64" });
    await tools.buildah(["manifest", "create", "localhost/built/multi:list"]);
    for (const arch of ["amd64", "arm64"])
      await tools.buildah(["manifest", "add", "localhost/built/multi:list", `localhost/built/multi:${arch}`]);
    const digestFile = join(tools.dir, "digest-list");
    await tools.buildah([
      "manifest",
      "push",
      "--all",
      "--tls-verify=false",
      "--digestfile",
      digestFile,
      "localhost/built/multi:list",
      `docker://${ref("team/multi:latest")}`,
    ]);
    const digest = (await readFile(digestFile, "utf8")).trim();

    const response = await v2.request("/v2/team/multi/manifests/latest", { headers: { accept: ACCEPT_ANY } });
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    const index = JSON.parse(await response.text()) as {
      manifests: Array<{ digest: string; platform: { architecture: string } }>;
    };
    expect(index.manifests.map((m) => m.platform.architecture).sort()).toEqual(["amd64", "arm64"]);
    for (const child of index.manifests) await expectServed(v2, "team/multi", child.digest, child.digest);
  });
});

describe("buildah with credentials configured: an ECR authorization token as --creds", () => {
  const KEY = { accessKeyId: "AKIDBUILDAH", secretAccessKey: "secret" };
  let berth: RunningBerth;
  let tools: ContainerTools;
  let password: string;

  beforeAll(async () => {
    await requireTool("buildah");
    tools = await createContainerTools();
    berth = await startBerth({
      storage: "memory",
      createOnPush: true,
      credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}:111111111111`,
      secret: "berth-buildah-suite-secret",
    });
    const { authorizationData } = await berth
      .client({ credentials: KEY })
      .send(new GetAuthorizationTokenCommand({}));
    password = Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64")
      .toString("utf8")
      .replace(/^AWS:/, "");
  });
  afterAll(async () => {
    await berth?.stop();
    await tools?.cleanup();
  });

  it("refuses a push without credentials and takes it with AWS:<token>; pulls back with the same", async () => {
    await buildFromScratch(tools, "localhost/built/private:v1");
    const target = `docker://${registryRef(berth.port, "team/private:v1")}`;
    await expect(
      tools.buildah(["push", "--tls-verify=false", "localhost/built/private:v1", target]),
    ).rejects.toThrow(/unauthorized|authentication required/i);
    const digest = await push(tools.buildah, tools.dir, [
      "--creds",
      `AWS:${password}`,
      "localhost/built/private:v1",
      target,
    ]);
    const authed = ociClient(berth.endpoint, basicAuth("AWS", password));
    await expectServed(authed, "team/private", "v1", digest);

    const empty = await tools.store("private");
    await expect(empty.buildah(["pull", "--quiet", "--tls-verify=false", target])).rejects.toThrow(
      /unauthorized|authentication required/i,
    );
    await empty.buildah(["pull", "--quiet", "--tls-verify=false", "--creds", `AWS:${password}`, target]);
    const images = JSON.parse((await empty.buildah(["images", "--digests", "--json"])).stdout) as Array<{
      digest: string;
    }>;
    expect(images.map((image) => image.digest)).toEqual([digest]);
  });
});
