/**
 * 9. The pull-through cache: MB/s of an image (a config and one layer of `partBytes`, 20 MiB in a
 * full run) pulled over `/v2` through Berth's cache from the CNCF reference registry: cold (the
 * manifest GET fills the image from upstream, blobs hashed into the blob store, then the blob is
 * served) and warm (served from the cache). Beside them, the same pull straight from the CNCF
 * registry: the peer, and the most a cold pull could do, since it includes one. Pulls are
 * interleaved (direct, cold, warm per image), each image with layer bytes of its own, after one
 * untimed warm-up image.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { ecrClient } from "./ecr-client.js";
import { request } from "./http-client.js";
import { MB, median, now } from "./measure.js";
import type { Row } from "./report.js";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const sha256 = (bytes: Uint8Array | string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

/** The CNCF registry (`docker-registry`, Debian's distribution 2.8) on filesystem storage in a temp dir. */
async function startCncfRegistry() {
  const dir = await mkdtemp(join(tmpdir(), "berth-bench-cncf-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child: ChildProcess = spawn(
    process.env.DOCKER_REGISTRY ?? "/usr/bin/docker-registry",
    ["serve", config],
    {
      stdio: "ignore",
    },
  );
  const failed = new Promise<never>((_, reject) =>
    child.once("error", (error) =>
      reject(new Error(`docker-registry: ${error.message} (apt-get install -y docker-registry)`)),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  };
  for (let tries = 0; ; tries++) {
    const up = await Promise.race([
      request(`${endpoint}/v2/`, { method: "GET" }).then(
        (answer) => answer.status === 200,
        () => false,
      ),
      failed,
    ]);
    if (up) return { endpoint, port, stop };
    if (tries > 150) {
      await stop();
      throw new Error(`the CNCF registry did not come up on ${endpoint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pushImage = async (endpoint: string, name: string, layer: Buffer) => {
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  for (const blob of [config, layer]) {
    const session = await request(`${endpoint}/v2/${name}/blobs/uploads/`, { method: "POST" });
    const location = new URL(String(session.headers.location), endpoint);
    location.searchParams.set("digest", sha256(blob));
    const put = await request(location, { method: "PUT", body: blob });
    if (put.status !== 201) throw new Error(`blob PUT to the CNCF registry: ${put.status}`);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(layer), size: layer.length },
    ],
  });
  const put = await request(`${endpoint}/v2/${name}/manifests/v1`, {
    method: "PUT",
    headers: { "content-type": OCI_MANIFEST },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest PUT to the CNCF registry: ${put.status}`);
};

/** A client's pull: the manifest, then every blob it names. Returns the bytes pulled and the ms taken. */
const pull = async (endpoint: string, name: string) => {
  const started = now();
  const manifest = await request(`${endpoint}/v2/${name}/manifests/v1`, {
    method: "GET",
    headers: { accept: OCI_MANIFEST },
  });
  if (manifest.status !== 200)
    throw new Error(`pull of ${name}: ${manifest.status} ${manifest.body.toString().slice(0, 300)}`);
  const parsed = JSON.parse(manifest.body.toString()) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  let bytes = manifest.body.length;
  for (const { digest } of [parsed.config, ...parsed.layers]) {
    const blob = await request(`${endpoint}/v2/${name}/blobs/${digest}`, { method: "GET" });
    if (blob.status !== 200 || sha256(blob.body) !== digest)
      throw new Error(`blob ${digest} of ${name}: ${blob.status}`);
    bytes += blob.body.length;
  }
  return { bytes, ms: now() - started };
};

export async function benchPullThrough(config: BenchConfig): Promise<Row[]> {
  const cncf = await startCncfRegistry();
  const berth = await startServer("berth");
  try {
    await ecrClient(berth.endpoint)(
      "CreatePullThroughCacheRule",
      JSON.stringify({ ecrRepositoryPrefix: "cache", upstreamRegistryUrl: `127.0.0.1:${cncf.port}` }),
    );
    const shared = randomBytes(config.partBytes);
    const names = ["warm-up", ...Array.from({ length: config.layersPerPath }, (_, k) => `image-${k}`)];
    for (const name of names) {
      const layer = Buffer.from(shared);
      layer.write(`pull-through ${name} `, "utf8");
      await pushImage(cncf.endpoint, `bench/${name}`, layer);
    }
    const rates = { direct: [] as number[], cold: [] as number[], warm: [] as number[] };
    for (const [k, name] of names.entries()) {
      const timed = {
        direct: await pull(cncf.endpoint, `bench/${name}`),
        cold: await pull(berth.endpoint, `cache/bench/${name}`),
        warm: await pull(berth.endpoint, `cache/bench/${name}`),
      };
      if (k === 0) continue;
      for (const key of ["direct", "cold", "warm"] as const) {
        rates[key].push(timed[key].bytes / MB / (timed[key].ms / 1000));
      }
    }
    const limit = {
      name: "the same pull straight from the CNCF registry",
      value: median(rates.direct),
      unit: "MB/s",
    };
    const row = (name: string, values: number[]): Row => ({
      section: "9",
      name,
      value: median(values),
      unit: "MB/s",
      higherIsBetter: true,
      limit,
      details: { perImage: values, direct: rates.direct, imageBytes: config.partBytes },
    });
    return [
      row(
        `/v2 pull of a ${Math.round(config.partBytes / MB)} MB image, cold: filled from the CNCF registry`,
        rates.cold,
      ),
      row("the same pull, warm: served from the cache", rates.warm),
    ];
  } finally {
    await berth.stop();
    await cncf.stop();
  }
}
