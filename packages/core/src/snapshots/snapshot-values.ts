/**
 * The values a state holds, as JSON that reads back exactly: Maps and Sets in insertion order,
 * members that are present but `undefined`, and numbers JSON cannot spell (NaN, ±Infinity, -0).
 * Anything else (a class instance, a bigint, a function) is not state: encoding it throws.
 *
 * A tagged value is an object whose key `$` names its kind; a plain object that has a `$` key of its
 * own is wrapped (`{ $: "o", v }`), so no key a user chose can pass for a tag.
 *
 * With a `Shapes` table (one per snapshot line), an object whose keys are all plain identifiers is
 * written as a record: an array of its shape's index as a negative number (-1 - index; the shape
 * lists its keys in order, `key?` for a member that is present but undefined) and then its other
 * values in that order. A state holds a million objects of a handful of shapes, so this drops their
 * keys from the text, and parsing makes one array per record, not an object and an array. An array
 * of the state whose first item is a negative number is tagged (`{ $: "a", v }`), so it never
 * reads as a record.
 *
 * With a `DigestsWritten` table (one per snapshot), a digest seen before is written as a reference
 * to its first occurrence (`~` and a number), and `DigestsRead` gives back that first string.
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

/** The shapes of the records one line encodes: the line carries `list` beside its values. */
export class Shapes {
  readonly list: string[][] = [];
  readonly #ids = new Map<string, number>();

  idOf(keys: string[]): number {
    const signature = keys.join(",");
    let id = this.#ids.get(signature);
    if (id === undefined) {
      id = this.list.push(keys) - 1;
      this.#ids.set(signature, id);
    }
    return id;
  }
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9]*$/;

/** A record `[-1 - shape, ...values]` of `value`, or undefined when a key is not a plain identifier. */
const encodeRecord = (
  value: Record<string, unknown>,
  shapes: Shapes,
  digests: DigestsWritten | undefined,
): Json | undefined => {
  const keys: string[] = [];
  const record: Json[] = [0];
  for (const key of Object.keys(value)) {
    if (!IDENTIFIER.test(key)) return undefined;
    const member = value[key];
    if (member === undefined) keys.push(`${key}?`);
    else {
      keys.push(key);
      record.push(encodeValue(member, shapes, digests));
    }
  }
  record[0] = -1 - shapes.idOf(keys);
  return record;
};

const encodeNumber = (value: number): Json =>
  Number.isFinite(value) && !Object.is(value, -0)
    ? value
    : { $: "n", v: Object.is(value, -0) ? "-0" : String(value) };

export const encodeValue = (value: unknown, shapes?: Shapes, digests?: DigestsWritten): Json => {
  switch (typeof value) {
    case "string":
      return encodeString(value, digests);
    case "boolean":
      return value;
    case "number":
      return encodeNumber(value);
    case "undefined":
      return { $: "u" };
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items = value.map((item) => encodeValue(item, shapes, digests));
        return readsAsRecord(items) ? { $: "a", v: items } : items;
      }
      if (value instanceof Map) {
        const entries: Json[] = [];
        for (const [key, member] of value)
          entries.push(encodeValue(key, shapes, digests), encodeValue(member, shapes, digests));
        return { $: "m", v: entries };
      }
      if (value instanceof Set)
        return { $: "s", v: [...value].map((item) => encodeValue(item, shapes, digests)) };
      if (isPlainObject(value)) {
        const record = shapes === undefined ? undefined : encodeRecord(value, shapes, digests);
        if (record !== undefined) return record;
        const encoded: { [key: string]: Json } = {};
        for (const key of Object.keys(value)) {
          // `__proto__` stays an own key, as the decoder keeps it, never the prototype.
          Object.defineProperty(encoded, key, {
            value: encodeValue(value[key], shapes, digests),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
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

/** The shapes a line carries, checked: arrays of strings. */
export type ShapeList = ReadonlyArray<ReadonlyArray<string>>;

export const shapeListOf = (json: unknown): ShapeList => {
  if (
    !Array.isArray(json) ||
    !json.every((keys) => Array.isArray(keys) && keys.every((k) => typeof k === "string"))
  )
    throw new SnapshotFormatError("bad record shapes");
  return json as ShapeList;
};

const looksLikeDigest = (text: string): boolean =>
  (text.length === 71 && text.startsWith("sha256:")) || (text.length === 135 && text.startsWith("sha512:"));

const TILDE = 0x7e;
/**
 * Base-36 digits of a reference, padded: V8's JSON.parse looks every string of up to 10 characters
 * up in its string table (about 0.3 µs each); 11 and more it only copies (about 0.07 µs).
 */
const REFERENCE_DIGITS = 10;

/**
 * Digests a snapshot would spell out many times (a blob's is a map key, its entry's, and in every
 * image and layer naming it), written once: the first occurrence as itself, every later one as `~`
 * and the base-36 number of the first, counted in the order values are written (and read). A state
 * string that starts with `~` is written tagged (`{ $: "~", v }`), so it never reads as a reference.
 */
export class DigestsWritten {
  readonly #ids = new Map<string, number>();

  encode(text: string): Json {
    if (!looksLikeDigest(text)) return text;
    const id = this.#ids.get(text);
    if (id !== undefined) return `~${id.toString(36).padStart(REFERENCE_DIGITS, "0")}`;
    this.#ids.set(text, this.#ids.size);
    return text;
  }
}

/** A base-36 digit's value, or -1. */
const digitOf = (code: number): number =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 122 ? code - 87 : -1;

/** The reading side of DigestsWritten: a reference decodes to the one string read first. */
export class DigestsRead {
  readonly #list: string[] = [];

  decode(text: string): string {
    if (text.charCodeAt(0) !== TILDE) {
      if (looksLikeDigest(text)) this.#list.push(text);
      return text;
    }
    let id = 0;
    for (let i = 1; i < text.length; i++) {
      const digit = digitOf(text.charCodeAt(i));
      if (digit < 0) throw new SnapshotFormatError("a digest reference that is not a number");
      id = id * 36 + digit;
    }
    const digest = this.#list[id];
    if (text.length !== REFERENCE_DIGITS + 1 || digest === undefined)
      throw new SnapshotFormatError("a reference to no digest");
    return digest;
  }
}

const encodeString = (text: string, digests: DigestsWritten | undefined): Json =>
  text.charCodeAt(0) === TILDE ? { $: "~", v: text } : (digests?.encode(text) ?? text);

const decodeString = (text: string, digests: DigestsRead | undefined): string => {
  if (digests !== undefined) return digests.decode(text);
  if (text.charCodeAt(0) === TILDE) throw new SnapshotFormatError("a digest reference outside a snapshot");
  return text;
};

/** Whether an encoded array starts as a record does (a negative number): then it is tagged. */
const readsAsRecord = (items: ReadonlyArray<unknown>): boolean =>
  typeof items[0] === "number" && items[0] < 0;

/** The record `[-1 - shape, ...values]` decodes to. */
const decodeRecord = (
  json: ReadonlyArray<unknown>,
  shapes: ShapeList | undefined,
  digests: DigestsRead | undefined,
): unknown => {
  const keys = shapes?.[-1 - (json[0] as number)];
  if (keys === undefined) throw new SnapshotFormatError("a record of no shape");
  const record: Record<string, unknown> = {};
  let next = 1;
  for (const key of keys) {
    if (key.endsWith("?")) record[key.slice(0, -1)] = undefined;
    else {
      if (next >= json.length) throw new SnapshotFormatError("a record short of values");
      record[key] = decodeValue(json[next++], shapes, digests);
    }
  }
  if (next !== json.length) throw new SnapshotFormatError("a record with values left over");
  return record;
};

/** Decodes an array's items in place. */
const decodeItems = (json: unknown[], shapes: ShapeList | undefined, digests: DigestsRead | undefined) => {
  for (let i = 0; i < json.length; i++) {
    const item: unknown = json[i];
    if (typeof item === "object" && item !== null) json[i] = decodeValue(item, shapes, digests);
    else if (typeof item === "string") json[i] = decodeString(item, digests);
  }
  return json;
};

const decodeTagged = (
  json: Readonly<Record<string, unknown>>,
  shapes: ShapeList | undefined,
  digests: DigestsRead | undefined,
): unknown => {
  switch (json.$) {
    case "u":
      return undefined;
    case "~":
      if (typeof json.v !== "string") throw new SnapshotFormatError("a tagged string that is not a string");
      return json.v;
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
        map.set(decodeValue(entries[i], shapes, digests), decodeValue(entries[i + 1], shapes, digests));
      return map;
    }
    case "s":
      return new Set(arrayOf(json.v, "a set").map((item) => decodeValue(item, shapes, digests)));
    case "a": {
      const items = arrayOf(json.v, "a tagged array") as unknown[];
      if (!readsAsRecord(items)) throw new SnapshotFormatError("a tagged array that needed no tag");
      return decodeItems(items, shapes, digests);
    }
    case "o": {
      const inner = json.v;
      if (typeof inner !== "object" || inner === null || Array.isArray(inner))
        throw new SnapshotFormatError("a wrapped object that is not an object");
      return decodeObject(inner as Record<string, unknown>, shapes, digests);
    }
    default:
      throw new SnapshotFormatError(`unknown tag ${JSON.stringify(json.$)}`);
  }
};

/** Decodes the members of a parsed object in place: only members that are objects can change. */
const decodeObject = (
  json: Record<string, unknown>,
  shapes: ShapeList | undefined,
  digests: DigestsRead | undefined,
): Record<string, unknown> => {
  for (const key of Object.keys(json)) {
    const member = json[key];
    if ((typeof member !== "object" || member === null) && typeof member !== "string") continue;
    const value = decodeValue(member, shapes, digests);
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
 * `digests` reads the references a snapshot's DigestsWritten wrote.
 */
export const decodeValue = (json: unknown, shapes?: ShapeList, digests?: DigestsRead): unknown => {
  switch (typeof json) {
    case "string":
      return decodeString(json, digests);
    case "boolean":
    case "number":
      return json;
    case "object": {
      if (json === null) return null;
      if (Array.isArray(json))
        return readsAsRecord(json) ? decodeRecord(json, shapes, digests) : decodeItems(json, shapes, digests);
      const record = json as Record<string, unknown>;
      return "$" in record ? decodeTagged(record, shapes, digests) : decodeObject(record, shapes, digests);
    }
    default:
      throw new SnapshotFormatError(`a ${typeof json} is not JSON`);
  }
};
