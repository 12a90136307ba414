/**
 * One bounded hostile fuzz run: `count` requests drawn from an arbitrary (request i from seed + i, so
 * a run is reproducible from its seed and each request is built only when sent), `parallel` at a
 * time over keep-alive connections, each answered within `boundMs` or counted as a hang.
 */
import fc from "fast-check";
import { describeRequest, type HostileRequest, hostilePool, type Outcome } from "./hostile-client.js";

export interface FuzzReport {
  readonly seed: number;
  readonly sent: number;
  readonly seconds: number;
  /** Requests answered 5xx, never answered in time, or dropped without an answer. */
  readonly failures: ReadonlyArray<string>;
  /** How many requests got each status (or `closed`), for the failure message and the log. */
  readonly outcomes: Readonly<Record<string, number>>;
}

/** The run's seed: FUZZ_SEED to replay one, else a new one (printed with any failure). */
export const fuzzSeed = (): number => Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Requests per API and storage: FUZZ_REQUESTS, at least 10,000 by default. */
export const fuzzCount = (): number => Number(process.env.FUZZ_REQUESTS ?? 10_000);

const failureOf = (request: HostileRequest, outcome: Outcome): string | undefined => {
  if (outcome.kind === "hung") return "no answer in time";
  if (outcome.kind === "answered")
    return outcome.status >= 500 ? `${outcome.status} ${outcome.body.slice(0, 300)}` : undefined;
  // Closing without an answer is right only for a cut body or bytes the HTTP parser refuses.
  return request.truncate === true || request.raw !== undefined ? undefined : "closed without an answer";
};

export const runHostileFuzz = async (options: {
  readonly port: number;
  readonly requests: fc.Arbitrary<HostileRequest>;
  readonly count: number;
  readonly seed: number;
  readonly parallel: number;
  readonly boundMs: number;
}): Promise<FuzzReport> => {
  const { port, requests, count, seed, parallel, boundMs } = options;
  const pool = hostilePool(port, parallel, boundMs);
  const failures: string[] = [];
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const [request] = fc.sample(requests, { numRuns: 1, seed: seed + index });
      if (request === undefined) continue;
      const outcome = await pool.send(request);
      const key = outcome.kind === "answered" ? String(outcome.status) : outcome.kind;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      const failure = failureOf(request, outcome);
      if (failure !== undefined) failures.push(`#${index} ${failure} <- ${describeRequest(request)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    pool.close();
  }
  return { seed, sent: next, seconds: (performance.now() - started) / 1000, failures, outcomes };
};

/** The message a failed run prints: how to replay it, what went wrong first, what it saw. */
export const fuzzSummary = (report: FuzzReport): string =>
  `FUZZ_SEED=${report.seed} (${report.sent} requests in ${report.seconds.toFixed(1)} s) ${JSON.stringify(report.outcomes)}\n${report.failures.slice(0, 10).join("\n")}`;
