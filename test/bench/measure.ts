/** Timing: bounded throughput loops and per-call latencies, with the statistics the report uses. */

import { readFileSync } from "node:fs";

export const MiB = 1024 * 1024;
/** Throughputs in bytes are reported in MB/s, MB = 10^6 bytes (as `openssl speed` and most tools do). */
export const MB = 1_000_000;

export const now = () => performance.now();

export const median = (values: ReadonlyArray<number>): number => percentile(values, 50);

/** Nearest-rank percentile (p in 0–100). */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
};

export interface ThroughputOptions {
  /** Stop starting operations after this long. */
  readonly seconds: number;
  /** Stop starting operations after this many (the bound when time is generous). */
  readonly maxOps?: number;
  /** Parallel loops sharing one sequence of operation numbers. */
  readonly concurrency?: number;
  /** Operations run (and not counted) before the clock starts: this many, then until this long passed. */
  readonly warmupOps?: number;
  readonly warmupSeconds?: number;
}

export interface Throughput {
  readonly ops: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/**
 * Runs `op(n)` (n = 0, 1, 2, … across every loop, warm-up included, so each call can make a unique
 * name) from `concurrency` loops until the time or count bound, and counts completed operations.
 */
export async function throughput(
  op: (n: number) => Promise<unknown>,
  options: ThroughputOptions,
): Promise<Throughput> {
  let n = 0;
  for (let i = 0; i < (options.warmupOps ?? 0); i++) await op(n++);
  const warm = now() + (options.warmupSeconds ?? 0) * 1000;
  while (now() < warm) await op(n++);
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  const started = now();
  const deadline = started + options.seconds * 1000;
  let ops = 0;
  const loop = async () => {
    while (ops < maxOps && now() < deadline) {
      ops++;
      await op(n++);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, loop));
  const seconds = (now() - started) / 1000;
  return { ops, seconds, perSecond: ops / seconds };
}

export interface Sampled {
  readonly median: number;
  readonly samples: ReadonlyArray<number>;
}

/**
 * Runs every measurement once per round, in order, for `rounds` rounds, and keeps the median of
 * each: a figure and its limit are measured minutes apart at most seconds apart, so drift and other
 * load on the machine fall on both alike.
 */
export async function interleaved<K extends string>(
  rounds: number,
  measurements: Readonly<Record<K, () => Promise<number>>>,
): Promise<Record<K, Sampled>> {
  const samples = new Map<K, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(measurements) as K[]) {
      const value = await measurements[name]();
      samples.set(name, [...(samples.get(name) ?? []), value]);
    }
  }
  const result = {} as Record<K, Sampled>;
  for (const [name, values] of samples) result[name] = { median: median(values), samples: values };
  return result;
}

/** Milliseconds of each of `reps` sequential calls of `op(i)`. */
export async function latencies(op: (i: number) => Promise<unknown>, reps: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = now();
    await op(i);
    times.push(now() - started);
  }
  return times;
}

/** Runs `f` and returns its result with the milliseconds it took. */
export async function timed<A>(f: () => Promise<A> | A): Promise<{ value: A; ms: number }> {
  const started = now();
  const value = await f();
  return { value, ms: now() - started };
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same workload on every run. */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** CPU milliseconds a process has used (user + system, all its threads), from /proc (Linux; 10 ms ticks). */
export const processCpuMs = (pid: number | undefined): number => {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
