/**
 * Sizes of a full run (~8 minutes on 2 cores, most of it the 1,000,000-event cold start, plus 20–40
 * minutes for the scale section at 1,000,000 images) and of the smoke run CI does (~30 s).
 */
import { MiB } from "./measure.js";
import type { SlowClientCounts } from "./slow-clients.js";

export interface BenchConfig {
  readonly smoke: boolean;
  readonly databaseUrl: string;
  /** 1. events in the folded log, and timed rounds (after one warm-up round). */
  readonly foldEvents: number;
  readonly foldRuns: number;
  /** 2, 4. interleaved rounds of every throughput run (the median is reported). */
  readonly rounds: number;
  /** 2. seconds per command throughput run (and for the raw INSERT limit), per round. */
  readonly commandSeconds: number;
  /** 3. part size, parts per layer and layers per path; repetitions of the sha256/base64 limits. */
  readonly partBytes: number;
  readonly partsPerLayer: number;
  readonly layersPerPath: number;
  readonly limitRepeats: number;
  /** 2, 4. seconds of untimed calls before each throughput run (JIT, heap sizing). */
  readonly warmupSeconds: number;
  /** 4. seconds per HTTP throughput run, per round. */
  readonly httpSeconds: number;
  /** 5. repository sizes, calls timed per query and PutImages timed per size. */
  readonly growthSizes: ReadonlyArray<number>;
  readonly queryReps: number;
  readonly putReps: number;
  /** 5. repository sizes at which PutImage over HTTP is timed (moto's reference points), and how many. */
  readonly httpGrowthSizes: ReadonlyArray<number>;
  readonly httpGrowthPuts: number;
  /** 5. events in the logs a cold start catches up on, and the target for each (process start → 1st answer). */
  readonly coldStartSizes: ReadonlyArray<{ readonly events: number; readonly targetMs: number }>;
  /** 5. how many events before the end of the log the state snapshot a cold start finds was taken. */
  readonly snapshotLag: number;
  /** 6. slow clients of each kind held open, and calls timed with and without them. */
  readonly slowClients: SlowClientCounts;
  readonly slowClientReps: number;
  /** 7. keys of the unknown member in the parsed ECR body (2M keys: 25 MB), and timed runs. */
  readonly parseKeys: number;
  readonly parseRuns: number;
  /** 8. size of each /v2 blob pushed and pulled, and blobs timed per server (after one warm-up). */
  readonly v2BlobBytes: number;
  readonly v2Blobs: number;
  /** 10. images and repositories of the scale log (BENCH_SCALE_IMAGES overrides: one repository per 1,000). */
  readonly scaleImages: number;
  readonly scaleRepositories: number;
  /** 10. images GET per start (each pulled twice), heap limit, timeout of each start and of saveSnapshot. */
  readonly scaleGets: number;
  readonly scaleHeapMiB: number;
  readonly scaleTimeoutSeconds: number;
}

/** BENCH_SCALE_IMAGES=N: the scale section at N images in N/1,000 repositories (at least one). */
const scaleShape = (images: number, repositories: number) => {
  const override = Number(process.env.BENCH_SCALE_IMAGES ?? "");
  return override > 0
    ? { scaleImages: Math.floor(override), scaleRepositories: Math.max(1, Math.floor(override / 1000)) }
    : { scaleImages: images, scaleRepositories: repositories };
};

export const benchConfig = (smoke: boolean, databaseUrl: string): BenchConfig =>
  smoke
    ? {
        smoke,
        databaseUrl,
        foldEvents: 20_000,
        foldRuns: 1,
        rounds: 1,
        commandSeconds: 0.2,
        partBytes: 1 * MiB,
        partsPerLayer: 1,
        layersPerPath: 1,
        limitRepeats: 2,
        warmupSeconds: 0.05,
        httpSeconds: 0.2,
        growthSizes: [100, 300, 1_000],
        queryReps: 10,
        putReps: 10,
        httpGrowthSizes: [100, 300],
        httpGrowthPuts: 20,
        coldStartSizes: [{ events: 2_000, targetMs: 1000 }],
        snapshotLag: 200,
        slowClients: { patches: 6, ecrBodies: 2, headers: 2 },
        slowClientReps: 20,
        parseKeys: 20_000,
        parseRuns: 1,
        v2BlobBytes: 1 * MiB,
        v2Blobs: 1,
        ...scaleShape(2_000, 20),
        scaleGets: 200,
        scaleHeapMiB: 12 * 1024,
        scaleTimeoutSeconds: 60,
      }
    : {
        smoke,
        databaseUrl,
        foldEvents: 1_000_000,
        foldRuns: 5,
        rounds: 3,
        commandSeconds: 1.5,
        partBytes: 20 * MiB,
        partsPerLayer: 5,
        layersPerPath: 5,
        limitRepeats: 20,
        warmupSeconds: 2,
        httpSeconds: 1.5,
        growthSizes: [1_000, 10_000, 100_000],
        queryReps: 300,
        putReps: 300,
        httpGrowthSizes: [1_000, 10_000],
        httpGrowthPuts: 1_000,
        coldStartSizes: [
          { events: 100_000, targetMs: 1000 },
          { events: 1_000_000, targetMs: 2000 },
        ],
        snapshotLag: 5_000,
        slowClients: { patches: 120, ecrBodies: 40, headers: 40 },
        slowClientReps: 500,
        parseKeys: 2_000_000,
        parseRuns: 5,
        v2BlobBytes: 100 * MiB,
        v2Blobs: 5,
        ...scaleShape(1_000_000, 1_000),
        scaleGets: 2_000,
        // What `berth serve` gets by default on this machine (Node's own limit: about 4 GiB).
        scaleHeapMiB: 4 * 1024,
        scaleTimeoutSeconds: 1200,
      };
