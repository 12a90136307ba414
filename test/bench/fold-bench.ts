/**
 * 1. Fold: events/s of `createProjection().apply` and `fold` over a realistic log, beside the same
 * events reduced into one mutable Map (one set or delete per event): the cost of touching each
 * event once, with no registry semantics.
 */
import { type BerthEvent, createProjection, fold } from "@berth/core";
import type { BenchConfig } from "./config.js";
import { median, now } from "./measure.js";
import type { Row } from "./report.js";
import { countByType, realisticLog } from "./workload.js";

type Keyed = { readonly imageDigest?: string; readonly uploadId?: string; readonly repositoryName?: string };

/** The limit: one Map operation per event, keyed by the event's most specific id. */
const reduceIntoMap = (events: ReadonlyArray<BerthEvent>) =>
  events.reduce((map, event) => {
    const data = event.data as Keyed;
    const key = data.imageDigest ?? data.uploadId ?? data.repositoryName ?? event.type;
    if (event.type === "ImageDeleted") map.delete(key);
    else map.set(key, event);
    return map;
  }, new Map<string, BerthEvent>());

const viaProjection = (events: ReadonlyArray<BerthEvent>) => {
  const projection = createProjection();
  for (const event of events) projection.apply(event);
  return projection.state;
};

export async function benchFold(config: BenchConfig): Promise<Row[]> {
  const repositories = ["team/api", "team/web", "team/worker", "infra/base"] as never[];
  const started = now();
  const log = realisticLog({ repositories, events: config.foldEvents, seed: 1 });
  const generatedMs = now() - started;

  const rate = (f: () => unknown) => {
    const t0 = now();
    const result = f();
    const ms = now() - t0;
    if (result === undefined) throw new Error("nothing folded");
    return log.length / (ms / 1000);
  };
  const samples = { reduce: [] as number[], apply: [] as number[], fold: [] as number[] };
  // Interleaved runs, so drift (GC, turbo) falls on every variant alike; the first round warms up.
  for (let run = 0; run <= config.foldRuns; run++) {
    const reduce = rate(() => reduceIntoMap(log));
    const apply = rate(() => viaProjection(log));
    const folded = rate(() => fold(log));
    if (run === 0) continue;
    samples.reduce.push(reduce);
    samples.apply.push(apply);
    samples.fold.push(folded);
  }
  const state = fold(log);
  const images = [...state.repositories.values()].reduce((sum, r) => sum + r.images.size, 0);
  const limit = { name: "bare reduce into a Map", value: median(samples.reduce), unit: "ev/s" };
  const details = { events: log.length, byType: countByType(log), liveImages: images, generatedMs, samples };
  const events = `${log.length.toLocaleString("en-US")} events`;
  return [
    {
      section: "1",
      name: `fold: createProjection().apply, ${events}`,
      value: median(samples.apply),
      unit: "ev/s",
      higherIsBetter: true,
      limit,
      target: 0.25,
      details,
    },
    {
      section: "1",
      name: `fold: fold(), ${events}`,
      value: median(samples.fold),
      unit: "ev/s",
      higherIsBetter: true,
      limit,
      target: 0.25,
    },
  ];
}
