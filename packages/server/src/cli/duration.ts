/** Durations and counts on the command line: `500ms`, `30s`, `5m`, `24h`, `7d`; whole numbers. */
import { InvalidArgumentError } from "commander";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;

/** Milliseconds, or undefined for anything but a positive number with its unit. */
export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms >= 1 && Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
};

/** A duration flag (commander's argument parser), in milliseconds. */
export const durationFlag = (value: string): number => {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError("expected a duration such as 500ms, 30s, 15m, 24h or 7d");
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
