/** Durations on the command line, as `500ms`, `30s`, `5m`, `24h` or `7d`: milliseconds, or undefined. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;

export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
};
