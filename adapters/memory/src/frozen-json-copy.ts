/** Freezes a freshly parsed JSON value and everything in it (a tree: no cycles, nothing shared). */
const deepFreeze = (value: unknown): unknown => {
  if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
};

/**
 * Copies `data` the way a durable store would (through JSON), frozen so that no reader can change
 * what another reader sees. Keeps memory and Postgres equivalent: both drop `undefined`, turn dates
 * into strings and -0 into 0.
 */
export const frozenJsonCopy = (data: unknown): unknown =>
  // Freezing after the parse, not in a reviver: V8's JSON.parse is about twice as slow with one.
  deepFreeze(JSON.parse(JSON.stringify(data) ?? "null"));
