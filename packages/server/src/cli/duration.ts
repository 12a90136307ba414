/**
 * Durations on the command line: one or more `<number><unit>` with units ms, s, m, h and d, as in
 * `30s`, `24h`, `1h30m` or `1.5s`. A bare number is refused: seconds or milliseconds would be a guess.
 */
import { InvalidArgumentError } from "commander";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Milliseconds in `text`, or undefined when it is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  const input = text.trim();
  if (input === "") return undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < input.length) {
    const match = PART.exec(input);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return Number.isSafeInteger(Math.round(total)) ? Math.round(total) : undefined;
};

/** Formats milliseconds the way `parseDuration` reads them back, largest units first. */
export const formatDuration = (ms: number): string => {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
};

/** A duration flag (commander's argument parser), in milliseconds: more than zero. */
export const durationFlag = (value: string): number => {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1)
    throw new InvalidArgumentError("expected a duration such as 500ms, 30s, 15m, 24h, 7d or 1h30m");
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
