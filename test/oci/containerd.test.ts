/**
 * End to end with containerd's `ctr` (containerd's own resolver, pusher and fetcher, not
 * containers/image): a containerd daemon of the test's own imports an OCI layout archive built here
 * and pushes it to Berth; pulls into an empty namespace what another client pushed, and unpacks it;
 * a multi-platform index both ways. Once with credentials (`--user AWS:<token>` from a real
 * GetAuthorizationToken) on memory storage, once in local mode on PostgreSQL. Missing binaries are a
 * failure with install instructions, never a skip.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import { type Containerd, requireContainerd, startContainerd } from "../support/containerd.js";
import {
  basicAuth,
  bodyBytes,
  MediaTypes,
  type OciClient,
  ociClient,
  pushBlob,
  putManifest,
  sha256,
} from "../support/oci-client.js";
import {
  buildImage,
  buildIndex,
  type LayoutImage,
  layoutArchive,
  writeLayout,
} from "../support/oci-layout.js";

const KEY = { accessKeyId: "AKIDCONTAINERD", secretAccessKey: "secret" };

let containerd: Containerd;

beforeAll(async () => {
  await requireContainerd();
  containerd = await startContainerd();
});
afterAll(async () => {
  await containerd?.stop();
});

/** Pushes a layout image through plain /v2 calls: what "another client" left in Berth. */
async function pushLayoutImage(v2: OciClient, name: string, tag: string, image: LayoutImage) {
  await pushBlob(v2, name, image.config);
  for (const layer of image.layers) await pushBlob(v2, name, layer);
  const put = await putManifest(v2, name, tag, image.manifest);
  expect(put.status, await put.text()).toBe(201);
}

const SETUPS: ReadonlyArray<{ readonly storage: BerthStorage; readonly auth: boolean }> = [
  { storage: "memory", auth: true },
  { storage: "postgres", auth: false },
];

describe.each(SETUPS)("ctr against Berth on $storage storage, credentials $auth", ({ storage, auth }) => {
  let berth: RunningBerth;
  let v2: OciClient;
  /** `--user AWS:<token>` when credentials are on. */
  let user: string[] = [];
  const namespace = `berth-${storage}`;

  beforeAll(async () => {
    berth = await startBerth({
      storage,
      createOnPush: true,
      ...(auth
        ? { credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}:111111111111`, secret: "ctr-suite" }
        : {}),
    });
    v2 = ociClient(berth.endpoint);
    if (auth) {
      const { authorizationData } = await berth
        .client({ credentials: KEY })
        .send(new GetAuthorizationTokenCommand({}));
      const token = Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64").toString("utf8");
      expect(token.startsWith("AWS:")).toBe(true);
      user = ["--user", token];
      v2 = v2.withAuthorization(basicAuth("AWS", token.slice("AWS:".length)));
    }
  });
  afterAll(async () => {
    await berth?.stop();
  });

  const host = () => `127.0.0.1:${berth.port}`;
  const ctr = (args: ReadonlyArray<string>) => containerd.ctr(["--namespace", namespace, ...args]);
  /** The image records of the namespace: name → target digest. */
  const images = async (ns = namespace) => {
    const { stdout } = await containerd.ctr(["--namespace", ns, "images", "list"]);
    return Object.fromEntries(
      stdout
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(/\s+/))
        .map(([name, , digest]) => [name, digest]),
    );
  };

  const expectBlobsServed = async (name: string, digests: ReadonlyArray<string>) => {
    for (const digest of digests) {
      const response = await v2.request(`/v2/${name}/blobs/${digest}`);
      expect(response.status, digest).toBe(200);
      expect(sha256(await bodyBytes(response))).toBe(digest);
    }
  };

  it("imports an OCI layout archive and pushes it: Berth holds the same manifest, byte for byte, and every blob", async () => {
    const image = buildImage({ seed: `ctr-push-${storage}` });
    const layout = join(containerd.dir, `layout-push-${storage}`);
    await writeLayout(layout, [{ name: "v1", image }]);
    await writeFile(`${layout}.tar`, await layoutArchive(layout));
    await ctr(["images", "import", "--no-unpack", "--base-name", `${host()}/team/app`, `${layout}.tar`]);
    expect((await images())[`${host()}/team/app:v1`]).toBe(image.manifestDigest);

    if (auth)
      await expect(ctr(["images", "push", "--plain-http", `${host()}/team/app:v1`])).rejects.toThrow(
        /401|unauthorized/i,
      );
    await ctr(["images", "push", "--plain-http", ...user, `${host()}/team/app:v1`]);

    const pulled = await v2.request("/v2/team/app/manifests/v1", {
      headers: { accept: MediaTypes.ociManifest },
    });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("docker-content-digest")).toBe(image.manifestDigest);
    expect(await pulled.text()).toBe(image.manifest);
    await expectBlobsServed("team/app", image.blobDigests);
  });

  it("pulls into an empty namespace what another client pushed, unpacks it, and holds the same bytes", async () => {
    const image = buildImage({ seed: `ctr-pull-${storage}`, layerCount: 2 });
    await pushLayoutImage(v2, "team/pulled", "v1", image);
    const empty = `${namespace}-pull`;
    const ref = `${host()}/team/pulled:v1`;
    await containerd.ctr(["--namespace", empty, "images", "pull", "--plain-http", ...user, ref]);
    expect((await images(empty))[ref]).toBe(image.manifestDigest);
    // Fetched from Berth (nothing of it was in containerd before) and checked by containerd on the way.
    for (const [i, digest] of image.layerDigests.entries()) {
      expect((await containerd.content(empty, digest)).equals(image.layers[i]!)).toBe(true);
    }
    const check = (await containerd.ctr(["--namespace", empty, "images", "check"])).stdout;
    // Every blob the manifest names (config and layers) is present, and the image is unpacked.
    const blobs = image.blobDigests.length;
    expect(check).toMatch(
      new RegExp(`${ref.replaceAll(".", "\\.")}\\s.*complete \\(${blobs}/${blobs}\\).* true\\s*$`),
    );
    // Unpacked for this platform: the image's layers are snapshots now.
    const snapshots = (await containerd.ctr(["--namespace", empty, "snapshots", "list"])).stdout;
    expect(snapshots.trim().split("\n").length - 1).toBe(image.layers.length);
  });

  it("round-trips a two-platform index: import and push with every platform, pull back by digest", async () => {
    const index = buildIndex(
      [
        buildImage({ seed: `ctr-multi-amd64-${storage}`, architecture: "amd64" }),
        buildImage({ seed: `ctr-multi-arm64-${storage}`, architecture: "arm64" }),
      ],
      ["amd64", "arm64"],
    );
    const layout = join(containerd.dir, `layout-multi-${storage}`);
    await writeLayout(layout, [{ name: "latest", index }]);
    await writeFile(`${layout}.tar`, await layoutArchive(layout));
    await ctr([
      "images",
      "import",
      "--no-unpack",
      "--all-platforms",
      "--base-name",
      `${host()}/team/multi`,
      `${layout}.tar`,
    ]);
    await ctr(["images", "push", "--plain-http", ...user, `${host()}/team/multi:latest`]);

    const served = await v2.request("/v2/team/multi/manifests/latest", {
      headers: { accept: MediaTypes.ociIndex },
    });
    expect(served.headers.get("docker-content-digest")).toBe(index.indexDigest);
    expect(await served.text()).toBe(index.index);
    for (const child of index.images) await expectBlobsServed("team/multi", child.blobDigests);

    const empty = `${namespace}-multi`;
    const ref = `${host()}/team/multi@${index.indexDigest}`;
    await containerd.ctr([
      "--namespace",
      empty,
      "images",
      "pull",
      "--plain-http",
      "--all-platforms",
      ...user,
      ref,
    ]);
    expect((await images(empty))[ref]).toBe(index.indexDigest);
    for (const child of index.images) {
      expect((await containerd.content(empty, child.manifestDigest)).toString("utf8")).toBe(child.manifest);
    }
  });
});
