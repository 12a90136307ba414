import { InvalidArgumentError } from "commander";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration flag in milliseconds: `250ms`, `5s`, `2m`, `1h`, or a bare number of milliseconds. */
export const durationMs = (value: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (match === null)
    throw new InvalidArgumentError("expected a duration such as 5s, 500ms, 2m or a number of ms");
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "ms") as keyof typeof UNIT_MS];
  if (!Number.isSafeInteger(Math.round(ms))) throw new InvalidArgumentError("duration out of range");
  return Math.round(ms);
};

/** A duration flag that must be at least 1 ms (a zero wait would mean "wait for ever" to pg). */
export const positiveDurationMs = (value: string): number => {
  const ms = durationMs(value);
  if (ms < 1) throw new InvalidArgumentError("expected a duration of at least 1ms");
  return ms;
};

/** A count flag: a whole number ≥ `min`. */
export const wholeNumber =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
