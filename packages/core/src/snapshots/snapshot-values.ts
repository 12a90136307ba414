/**
 * The values a state holds, as JSON that reads back exactly: Maps and Sets in insertion order,
 * members that are present but `undefined`, and numbers JSON cannot spell (NaN, ±Infinity, -0).
 * Anything else (a class instance, a bigint, a function) is not state: encoding it throws.
 *
 * A tagged value is an object whose key `$` names its kind; a plain object that has a `$` key of its
 * own is wrapped (`{ $: "o", v }`), so no key a user chose can pass for a tag.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The snapshot text is not what `encodeValue` writes: it is ignored, never trusted. */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

const encodeNumber = (value: number): Json =>
  Number.isFinite(value) && !Object.is(value, -0)
    ? value
    : { $: "n", v: Object.is(value, -0) ? "-0" : String(value) };

export const encodeValue = (value: unknown): Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return encodeNumber(value);
    case "undefined":
      return { $: "u" };
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(encodeValue);
      if (value instanceof Map) {
        const entries: Json[] = [];
        for (const [key, member] of value) entries.push(encodeValue(key), encodeValue(member));
        return { $: "m", v: entries };
      }
      if (value instanceof Set) return { $: "s", v: [...value].map(encodeValue) };
      if (isPlainObject(value)) {
        const encoded: { [key: string]: Json } = {};
        for (const key of Object.keys(value)) encoded[key] = encodeValue(value[key]);
        return Object.hasOwn(value, "$") ? { $: "o", v: encoded } : encoded;
      }
      throw new SnapshotFormatError(`a ${value.constructor?.name ?? "object"} is not a state value`);
    }
    default:
      throw new SnapshotFormatError(`a ${typeof value} is not a state value`);
  }
};

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  "-0": -0,
};

const arrayOf = (json: unknown, what: string): ReadonlyArray<unknown> => {
  if (!Array.isArray(json)) throw new SnapshotFormatError(`${what}: expected an array`);
  return json;
};

const decodeTagged = (json: Readonly<Record<string, unknown>>): unknown => {
  switch (json.$) {
    case "u":
      return undefined;
    case "n": {
      const number = typeof json.v === "string" ? SPECIAL_NUMBERS[json.v] : undefined;
      if (number === undefined) throw new SnapshotFormatError(`not a number: ${String(json.v)}`);
      return number;
    }
    case "m": {
      const entries = arrayOf(json.v, "a map");
      if (entries.length % 2 !== 0) throw new SnapshotFormatError("a map with a key but no value");
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < entries.length; i += 2)
        map.set(decodeValue(entries[i]), decodeValue(entries[i + 1]));
      return map;
    }
    case "s":
      return new Set(arrayOf(json.v, "a set").map(decodeValue));
    case "o": {
      const inner = json.v;
      if (typeof inner !== "object" || inner === null || Array.isArray(inner))
        throw new SnapshotFormatError("a wrapped object that is not an object");
      return decodeObject(inner as Record<string, unknown>);
    }
    default:
      throw new SnapshotFormatError(`unknown tag ${JSON.stringify(json.$)}`);
  }
};

/** Decodes the members of a parsed object in place: only members that are objects can change. */
const decodeObject = (json: Record<string, unknown>): Record<string, unknown> => {
  for (const key of Object.keys(json)) {
    const member = json[key];
    if (typeof member !== "object" || member === null) continue;
    const value = decodeValue(member);
    // `__proto__` from JSON.parse is an own key: defineProperty keeps it one, never a prototype.
    if (key === "__proto__")
      Object.defineProperty(json, key, { value, enumerable: true, writable: true, configurable: true });
    else json[key] = value;
  }
  return json;
};

/**
 * The value `encodeValue` encoded; throws SnapshotFormatError on anything it would not write. Takes
 * JSON as `JSON.parse` returns it, and reuses its objects and arrays (the caller hands them over).
 */
export const decodeValue = (json: unknown): unknown => {
  switch (typeof json) {
    case "string":
    case "boolean":
    case "number":
      return json;
    case "object": {
      if (json === null) return null;
      if (Array.isArray(json)) {
        for (let i = 0; i < json.length; i++) {
          const item: unknown = json[i];
          if (typeof item === "object" && item !== null) json[i] = decodeValue(item);
        }
        return json;
      }
      const record = json as Record<string, unknown>;
      return "$" in record ? decodeTagged(record) : decodeObject(record);
    }
    default:
      throw new SnapshotFormatError(`a ${typeof json} is not JSON`);
  }
};
