/**
 * 4. HTTP: PutImage and BatchGetImage over the ECR JSON API with 1 and 4 concurrent clients, on a
 * lenient `serve()` (manifests need no layers) in a process of its own. The limit beside each: the
 * same client and concurrency against a bare node:http server that reads the body and answers a
 * small JSON, the most this client and Node's HTTP stack do on this machine.
 * 5 (part). PutImage over HTTP at 1,000 and 10,000 images, one client, as moto was measured.
 */
import { type BenchServer, startServer } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { type EcrCall, ecrClient } from "./ecr-client.js";
import { interleaved, latencies, median, percentile, type Sampled, throughput } from "./measure.js";
import { formatNumber, type Row } from "./report.js";
import { fakeBlob, imageManifest } from "./workload.js";

const config = fakeBlob("http/config", 1_469);
const layers = [fakeBlob("http/layer-0", 31_357_624), fakeBlob("http/layer-1", 2_811_478)];

const putImageBody = (repositoryName: string, n: number) =>
  JSON.stringify({
    repositoryName,
    imageManifest: imageManifest(config, layers, `http-${n}`),
    imageTag: `v${n}`,
  });

const batchGetBody = (repositoryName: string, n: number) =>
  JSON.stringify({
    repositoryName,
    imageIds: [{ imageTag: `v${n}` }],
    acceptedMediaTypes: ["application/vnd.oci.image.manifest.v1+json"],
  });

export async function benchHttp(bench: BenchConfig): Promise<Row[]> {
  const seconds = bench.httpSeconds;
  const bare = await startServer("bare");
  let server: BenchServer | undefined;
  try {
    server = await startServer("berth-lenient");
    const toBare = ecrClient(bare.endpoint);
    const call = ecrClient(server.endpoint);
    const repositoryName = "bench/http";
    await call("CreateRepository", JSON.stringify({ repositoryName }));
    let pushed = 0;
    let bareCalls = 0;
    const limit = () => toBare("PutImage", putImageBody(repositoryName, bareCalls++));
    const put = () => call("PutImage", putImageBody(repositoryName, pushed++));
    const get = async (n: number) => {
      const answer = await call("BatchGetImage", batchGetBody(repositoryName, (n * 7919) % pushed));
      if ((answer.images as unknown[]).length !== 1)
        throw new Error(`BatchGetImage: ${JSON.stringify(answer.failures)}`);
    };
    for (const op of [limit, put, get])
      await throughput(op, { seconds: bench.warmupSeconds, concurrency: 4 });
    const rate = (op: (n: number) => Promise<unknown>, concurrency: number) => async () =>
      (await throughput(op, { seconds, concurrency })).perSecond;
    const measured = await interleaved(bench.rounds, {
      limit1: rate(limit, 1),
      put1: rate(put, 1),
      get1: rate(get, 1),
      limit4: rate(limit, 4),
      put4: rate(put, 4),
      get4: rate(get, 4),
    });
    const row = (name: string, sampled: Sampled, limitOf: Sampled): Row => ({
      section: "4",
      name,
      value: sampled.median,
      unit: "ops/s",
      higherIsBetter: true,
      limit: { name: "bare node:http, same client", value: limitOf.median, unit: "req/s" },
      details: { samples: sampled.samples, limitSamples: limitOf.samples, imagesInRepository: pushed },
    });
    return [
      row("PutImage over HTTP, 1 client", measured.put1, measured.limit1),
      row("PutImage over HTTP, 4 clients", measured.put4, measured.limit4),
      row("BatchGetImage over HTTP, 1 client", measured.get1, measured.limit1),
      row("BatchGetImage over HTTP, 4 clients", measured.get4, measured.limit4),
    ];
  } finally {
    await server?.stop();
    await bare.stop();
  }
}

/** PutImage over HTTP, one client, at each repository size (grown with 4 clients in between). */
export async function benchHttpGrowth(bench: BenchConfig): Promise<Row[]> {
  const server = await startServer("berth-lenient");
  const rows: Row[] = [];
  try {
    const call: EcrCall = ecrClient(server.endpoint);
    const repositoryName = "bench/http-growth";
    await call("CreateRepository", JSON.stringify({ repositoryName }));
    // Warm the server up (JIT) in another repository, so the first size is not measured cold.
    await call("CreateRepository", JSON.stringify({ repositoryName: "bench/http-warm-up" }));
    await throughput((n) => call("PutImage", putImageBody("bench/http-warm-up", n)), {
      seconds: bench.warmupSeconds * 2,
    });
    let images = 0;
    let first: number | undefined;
    for (const size of bench.httpGrowthSizes) {
      const missing = size - images;
      if (missing > 0) {
        await throughput((n) => call("PutImage", putImageBody(repositoryName, images + n)), {
          seconds: Number.POSITIVE_INFINITY,
          maxOps: missing,
          concurrency: 4,
        });
        images = size;
      }
      const base = images;
      const times = await latencies(
        (i) => call("PutImage", putImageBody(repositoryName, base + i)),
        bench.httpGrowthPuts,
      );
      images += bench.httpGrowthPuts;
      const perSecond = times.length / (times.reduce((sum, t) => sum + t, 0) / 1000);
      first ??= perSecond;
      rows.push({
        section: "5",
        name: `PutImage over HTTP, 1 client, ${formatNumber(size)} images (+${formatNumber(bench.httpGrowthPuts)} puts)`,
        value: perSecond,
        unit: "ops/s",
        higherIsBetter: true,
        ...(size === bench.httpGrowthSizes[0]
          ? {}
          : {
              limit: {
                name: `same at ${formatNumber(bench.httpGrowthSizes[0]!)} images`,
                value: first,
                unit: "ops/s",
              },
            }),
        details: { medianMs: median(times), p95Ms: percentile(times, 95), puts: times.length },
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}
