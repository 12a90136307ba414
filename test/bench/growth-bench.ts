/**
 * 5. Growth: DescribeImages and ListImages (first page and a middle page, maxResults 100) and
 * PutImage latency, through the engine on memory, with 1,000, 10,000 and 100,000 images in one
 * repository. The images are appended to the event store directly as the ImagePushed events PutImage
 * would have decided (the engine then catches up on them), which takes seconds instead of minutes.
 * Each figure's limit is the same call at the smallest size: the target is a flat curve. Everything
 * is first run once, untimed, on a warm-up repository, so the smallest size is not measured cold.
 */
import { type ByteOffset, findRepository, type RepositoryName, type Timestamp } from "@berth/core";
import type { BenchConfig } from "./config.js";
import { memoryRegistry, putImage, right } from "./engine-fixtures.js";
import { latencies, median, percentile } from "./measure.js";
import { formatNumber, type Row } from "./report.js";
import { fakeBlob, imageManifest, imagePushed, REGISTRY_ID, repositoryCreated } from "./workload.js";

const PAGE = 100;

export async function benchGrowth(bench: BenchConfig): Promise<Row[]> {
  const { registry, events } = memoryRegistry();
  const blobs = { config: fakeBlob("growth/config", 1_469), layer: fakeBlob("growth/layer", 31_357_624) };
  let seeded = 0;
  let puts = 0;

  const repositoryOf = async (repositoryName: RepositoryName) => {
    const stream = `repository-${REGISTRY_ID}-${repositoryName}`;
    const linked = (blob: { digest: string; size: number }) => ({
      type: "LayerLinked",
      data: {
        registryId: REGISTRY_ID,
        repositoryName,
        layerDigest: blob.digest,
        size: blob.size as ByteOffset,
        fromRepository: repositoryName,
        linkedAt: 0 as Timestamp,
      },
    });
    await events.appendToStream(
      stream,
      [repositoryCreated(repositoryName, 0), linked(blobs.config), linked(blobs.layer)],
      "NO_STREAM",
    );

    /** Appends ImagePushed events (as PutImage decides them) until the repository holds `size` images. */
    const growTo = async (size: number) => {
      await registry.catchUp();
      const batch = [];
      for (
        let have = findRepository(registry.state, REGISTRY_ID, repositoryName)!.images.size;
        have < size;
        have++
      ) {
        const n = seeded++;
        const manifest = imageManifest(blobs.config, [blobs.layer], `seed-${n}`);
        batch.push(imagePushed(repositoryName, manifest, [blobs.config, blobs.layer], `t${n}`, n));
        if (batch.length === 1000) await events.appendToStream(stream, batch.splice(0), "ANY");
      }
      if (batch.length > 0) await events.appendToStream(stream, batch, "ANY");
      await registry.catchUp();
    };
    const page = (query: "DescribeImages" | "ListImages") => async (nextToken?: string) => {
      const input = { repositoryName, maxResults: PAGE, ...(nextToken === undefined ? {} : { nextToken }) };
      return query === "DescribeImages"
        ? right(query, await registry.describeImages(input)).nextToken
        : right(query, await registry.listImages(input)).nextToken;
    };
    /** The token of the page in the middle, reached by paging from the first (as a client would). */
    const middleToken = async (list: (nextToken?: string) => Promise<string | undefined>, size: number) => {
      let token: string | undefined;
      for (let n = 0; n < Math.floor(size / PAGE / 2); n++) {
        token = await list(token);
        if (token === undefined) throw new Error("ran out of pages before the middle");
      }
      return token;
    };
    /** Microseconds of each call of every measured operation at `size` images. */
    const measureAt = async (size: number) => {
      await growTo(size);
      const describe = page("DescribeImages");
      const list = page("ListImages");
      const describeMiddle = await middleToken(describe, size);
      const listMiddle = await middleToken(list, size);
      const us = async (call: () => Promise<unknown>, reps: number) =>
        (await latencies(call, reps)).map((ms) => ms * 1000);
      return {
        "DescribeImages, first page": await us(() => describe(), bench.queryReps),
        "DescribeImages, middle page": await us(() => describe(describeMiddle), bench.queryReps),
        "ListImages, first page": await us(() => list(), bench.queryReps),
        "ListImages, middle page": await us(() => list(listMiddle), bench.queryReps),
        // Unique manifests and tags beyond the seeded ones: each call adds one image.
        "PutImage, engine on memory": await us(
          () => putImage(registry, repositoryName, blobs, 1e9 + puts++),
          bench.putReps,
        ),
      };
    };
    return measureAt;
  };

  const smallest = bench.growthSizes[0]!;
  const largest = bench.growthSizes.at(-1)!;
  const warmUp = await repositoryOf("bench/growth-warm-up" as RepositoryName);
  await warmUp(smallest);
  const measureAt = await repositoryOf("bench/growth" as RepositoryName);
  const series = new Map<string, Array<{ size: number; us: number[] }>>();
  for (const size of bench.growthSizes) {
    for (const [name, us] of Object.entries(await measureAt(size))) {
      series.set(name, [...(series.get(name) ?? []), { size, us }]);
    }
  }

  const rows: Row[] = [];
  for (const [name, points] of series) {
    const base = median(points[0]!.us);
    for (const { size, us } of points) {
      rows.push({
        section: "5",
        name: `${name}, ${formatNumber(size)} images`,
        value: median(us),
        unit: "µs",
        higherIsBetter: false,
        ...(size === smallest
          ? {}
          : { limit: { name: `same at ${formatNumber(smallest)} images`, value: base, unit: "µs" } }),
        ...(!name.startsWith("PutImage") && size === largest ? { target: 2 } : {}),
        details: { medianUs: median(us), p95Us: percentile(us, 95), calls: us.length, images: size },
      });
    }
  }
  return rows;
}
