/**
 * Slow clients must not starve anyone else: while 200 clients trickle /v2 PATCH bodies, ECR bodies
 * and request headers a few bytes at a time, other clients' database-backed requests (tags list,
 * DescribeRepositories) still answer. Before appends streamed outside transactions, ten slow PATCH
 * clients held every pooled PostgreSQL connection and these requests hung.
 * Bounds are generous (the machine is shared): they fail on a hang, not on slowness; the latency
 * figures are in the benchmarks (`pnpm bench --only=slowclients`).
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSlowClients, type SlowClients } from "../bench/slow-clients.js";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { ociClient } from "../support/oci-client.js";

const ANSWER_BOUND_MS = 5_000;
const MEASURE_MS = 3_000;

/** Resolves with the call's duration, or rejects when it takes longer than `ms`. */
const timed = async (ms: number, call: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - started;
};

describe.each(["postgres", "memory", "embedded"] as const)("200 slow clients on %s storage", (storage) => {
  let berth: RunningBerth;
  let slow: SlowClients | undefined;
  beforeAll(async () => {
    berth = await startBerth({ storage });
    await berth.client().send(new CreateRepositoryCommand({ repositoryName: "slow" }));
  });
  afterAll(async () => {
    slow?.close();
    await berth?.stop();
  });

  it("answers tags list and DescribeRepositories while they trickle", { timeout: 60_000 }, async () => {
    const oci = ociClient(berth.endpoint);
    const ecr = berth.client();
    slow = await openSlowClients(berth.endpoint, {
      repository: "slow",
      patches: 120,
      ecrBodies: 40,
      headers: 40,
    });
    // Let every PATCH reach its append (the point where the old store took a connection for good).
    await new Promise((resolve) => setTimeout(resolve, 500));

    const times: number[] = [];
    const until = performance.now() + MEASURE_MS;
    while (performance.now() < until) {
      times.push(
        await timed(ANSWER_BOUND_MS, async () => {
          const response = await oci.request("/v2/slow/tags/list", {
            signal: AbortSignal.timeout(ANSWER_BOUND_MS),
          });
          expect(response.status).toBe(200);
          await response.arrayBuffer();
        }),
      );
      times.push(
        await timed(ANSWER_BOUND_MS, async () => {
          const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["slow"] }));
          expect(described.repositories?.[0]?.repositoryName).toBe("slow");
        }),
      );
    }
    // The slow clients were really there all along: still connected and still sending.
    expect(slow.open()).toBe(200);
    expect(slow.sent()).toBeGreaterThan(200 * 4 * 10);
    expect(times.length).toBeGreaterThan(2);
    expect(Math.max(...times)).toBeLessThan(ANSWER_BOUND_MS);
  });
});
