/**
 * A snapshot of the folded state: the state at one position of the global log, with the version of
 * every stream seen by then, as lines of JSON text (one header, one line per entry of the state's
 * top-level maps, the big maps and arrays inside an entry a few hundred items to a line, stream versions a
 * thousand to a line, one trailer that counts the lines). Lines let
 * a writer encode a big state a piece at a time and a reader decode it without one giant string
 * (createSnapshotDecoder takes them one by one). Each digest is spelled out once in a snapshot,
 * then referenced (DigestsWritten), so a decoded state shares its digests as a fold does.
 *
 * A snapshot is only a shortcut: the header names the format and the schema it was folded with
 * (`snapshotSchema`: the state's shape version and the event types this core folds); a snapshot of
 * another format or schema, a truncated one or one that does not decode is refused, and the caller
 * folds the log from the start instead.
 */
import * as E from "fp-ts/lib/Either.js";
import { applyEvent, berthEventTypes, type Projection } from "../evolve.js";
import { emptyRegistryDraft, type RegistryDraft, type RegistryState } from "../kernel/registry-state.js";
import { type Finish, finishEntry, finishItem } from "./shared-after-decode.js";
import { appendTo, chunksOf, ITEMS_PER_LINE, splitEntry } from "./snapshot-containers.js";
import {
  DigestsRead,
  DigestsWritten,
  decodeValue,
  encodeValue,
  type Json,
  type ShapeList,
  Shapes,
  SnapshotFormatError,
  shapeListOf,
} from "./snapshot-values.js";

export const SNAPSHOT_FORMAT = "berth-state-snapshot";
export const SNAPSHOT_FORMAT_VERSION = 4;
/**
 * Bump when the state's shape changes, or what an event does to it, without a new event type: every
 * snapshot taken before is then ignored (and the next one is taken with the new shape).
 * 2: images no longer hold their manifest text (the log does).
 * 3: a repository's layers map to their media types (sizes are the blob index's); blob entries and
 *    images leave out the members they do not have.
 */
export const STATE_SHAPE_VERSION = 3;

/** 32-bit FNV-1a of a string's UTF-16 code units, in hex. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
};

/** What a snapshot must have been folded with to be trusted by this core. */
export const snapshotSchema = (): string => `${STATE_SHAPE_VERSION}:${fnv1a(berthEventTypes().join(","))}`;

export interface StateSnapshot {
  /** Global position of the last event folded into `state`. */
  readonly position: bigint;
  /** The version of every stream as of `position`. */
  readonly versions: ReadonlyMap<string, number>;
  readonly state: RegistryState;
}

/** A decoded snapshot: a projection that owns the restored state, ready to fold what followed. */
export interface RestoredSnapshot {
  readonly position: bigint;
  readonly versions: Map<string, number>;
  readonly projection: Projection;
}

interface Header {
  readonly format: string;
  readonly version: number;
  readonly schema: string;
  readonly position: string;
}

const VERSIONS_PER_LINE = 1000;
const STATE_FIELDS = Object.keys(emptyRegistryDraft()) as ReadonlyArray<keyof RegistryDraft>;

/**
 * One top-level map's lines, in its order: small entries a few hundred to an "e" line; an entry
 * holding big containers (a repository) on an "s" line of its own, its containers on "m" lines.
 * Each line carries the record shapes its values use.
 */
function* encodeField(
  field: string,
  map: Map<unknown, unknown>,
  digests: DigestsWritten,
): Generator<string, void, undefined> {
  let group: Json[] = [];
  let shapes = new Shapes();
  const flush = () => {
    const line = `${JSON.stringify(["e", field, group, shapes.list])}\n`;
    group = [];
    shapes = new Shapes();
    return line;
  };
  for (const [key, value] of map) {
    const { shell, big } = splitEntry(value);
    if (big.length === 0) {
      group.push(encodeValue(key, shapes, digests), encodeValue(value, shapes, digests));
      if (group.length >= 2 * ITEMS_PER_LINE) yield flush();
      continue;
    }
    if (group.length > 0) yield flush();
    const encodedKey = encodeValue(key);
    const own = new Shapes();
    yield `${JSON.stringify(["s", field, encodedKey, encodeValue(shell, own, digests), own.list])}\n`;
    // Big containers inside an entry (a repository's images) follow in lines of their own.
    for (const { path, container } of big) {
      for (const chunk of chunksOf(container, digests)) {
        yield `${JSON.stringify(["m", field, encodedKey, path, chunk.items, chunk.shapes.list])}\n`;
      }
    }
  }
  if (group.length > 0) yield flush();
}

/** The snapshot's lines, each ending in "\n", one at a time (the caller may pause between them). */
export function* encodeStateSnapshot(snapshot: StateSnapshot): Generator<string, void, undefined> {
  const header: Header = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    schema: snapshotSchema(),
    position: snapshot.position.toString(),
  };
  yield `${JSON.stringify(header)}\n`;
  let lines = 1;
  const state = snapshot.state as unknown as RegistryDraft;
  const digests = new DigestsWritten();
  for (const field of STATE_FIELDS) {
    for (const line of encodeField(field, state[field] as Map<unknown, unknown>, digests)) {
      yield line;
      lines++;
    }
  }
  let group: Array<string | number> = [];
  for (const [stream, version] of snapshot.versions) {
    group.push(stream, version);
    if (group.length === 2 * VERSIONS_PER_LINE) {
      yield `${JSON.stringify(["v", group])}\n`;
      lines++;
      group = [];
    }
  }
  if (group.length > 0) {
    yield `${JSON.stringify(["v", group])}\n`;
    lines++;
  }
  yield `${JSON.stringify(["end", lines])}\n`;
}

const parseHeader = (line: string | undefined): bigint => {
  if (line === undefined) throw new SnapshotFormatError("empty");
  const header = JSON.parse(line) as Partial<Header> | null;
  if (header?.format !== SNAPSHOT_FORMAT) throw new SnapshotFormatError("not a Berth state snapshot");
  if (header.version !== SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotFormatError(`format version ${String(header.version)}, not ${SNAPSHOT_FORMAT_VERSION}`);
  if (header.schema !== snapshotSchema())
    throw new SnapshotFormatError(`folded with schema ${String(header.schema)}, not ${snapshotSchema()}`);
  if (typeof header.position !== "string" || !/^[0-9]{1,30}$/.test(header.position))
    throw new SnapshotFormatError("no position");
  return BigInt(header.position);
};

const readVersions = (pairs: unknown, versions: Map<string, number>): void => {
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0) throw new SnapshotFormatError("bad stream versions");
  for (let i = 0; i < pairs.length; i += 2) {
    const [stream, version] = [pairs[i] as unknown, pairs[i + 1] as unknown];
    if (typeof stream !== "string" || !Number.isSafeInteger(version) || (version as number) < 1)
      throw new SnapshotFormatError("bad stream version");
    versions.set(stream, version as number);
  }
};

/** An "e" line's entries, key, value, key, value…, into `map`, each finished as the fold builds it. */
const appendEntries = (
  map: Map<unknown, unknown>,
  items: unknown,
  shapes: ShapeList,
  digests: DigestsRead,
  finish: Finish | undefined,
): void => {
  if (!Array.isArray(items) || items.length % 2 !== 0) throw new SnapshotFormatError("bad entries");
  for (let i = 0; i < items.length; i += 2) {
    const key = decodeValue(items[i], shapes, digests);
    const value = decodeValue(items[i + 1], shapes, digests);
    map.set(key, finish === undefined ? value : finish(key, value));
  }
};

/** One line after the header: its entries, containers or stream versions, into `draft`/`versions`. */
const decodeLine = (
  line: unknown,
  draft: RegistryDraft,
  versions: Map<string, number>,
  digests: DigestsRead,
): void => {
  if (!Array.isArray(line)) throw new SnapshotFormatError("a line that is not an array");
  const field = STATE_FIELDS.includes(line[1] as keyof RegistryDraft)
    ? (line[1] as keyof RegistryDraft)
    : undefined;
  const map = field === undefined ? undefined : (draft[field] as Map<unknown, unknown>);
  if (line[0] === "v" && line.length === 2) readVersions(line[1], versions);
  else if (line[0] === "m" && line.length === 6 && map !== undefined) {
    const entry = map.get(decodeValue(line[2]));
    appendTo(entry, line[3], line[4], shapeListOf(line[5]), digests, finishItem(field!, line[3]));
  } else if (line[0] === "s" && line.length === 5 && map !== undefined) {
    const key = decodeValue(line[2]);
    const value = decodeValue(line[3], shapeListOf(line[4]), digests);
    const finish = finishEntry(draft, field!);
    map.set(key, finish === undefined ? value : finish(key, value));
  } else if (line[0] === "e" && line.length === 4 && map !== undefined)
    appendEntries(map, line[2], shapeListOf(line[3]), digests, finishEntry(draft, field!));
  else throw new SnapshotFormatError(`an unknown line ${JSON.stringify(line[0])}`);
};

/** The restored snapshot once its trailer arrived (its values were shared as they were decoded). */
const restoredFrom = (
  position: bigint,
  draft: RegistryDraft,
  versions: Map<string, number>,
): RestoredSnapshot => ({
  position,
  versions,
  projection: { state: draft, apply: (e) => applyEvent(draft, e) },
});

/**
 * Decodes a snapshot a line at a time, as its text arrives (the caller never holds it whole):
 * `push` each line without its "\n", then `end`. A refusal (another format or schema, a corrupt or
 * truncated text) is kept: `push` answers false from then on and `end` gives the reason.
 */
export interface SnapshotDecoder {
  push(line: string): boolean;
  end(): E.Either<string, RestoredSnapshot>;
}

const reasonOf = (error: unknown): string => {
  if (error instanceof SnapshotFormatError || error instanceof SyntaxError) return error.message;
  throw error;
};

export const createSnapshotDecoder = (): SnapshotDecoder => {
  let position: bigint | undefined;
  const draft = emptyRegistryDraft();
  const versions = new Map<string, number>();
  let count = 0;
  // Every digest read so far, for the references to it (dropped at the end).
  let digests = new DigestsRead();
  let result: E.Either<string, RestoredSnapshot> | undefined;
  const decode = (text: string): void => {
    count++;
    if (position === undefined) {
      position = parseHeader(text);
      return;
    }
    const line = JSON.parse(text) as unknown;
    if (Array.isArray(line) && line[0] === "end") {
      if (line[1] !== count - 1) throw new SnapshotFormatError("truncated or padded");
      digests = new DigestsRead();
      result = E.right(restoredFrom(position, draft, versions));
    } else decodeLine(line, draft, versions, digests);
  };
  return {
    push(text) {
      if (result !== undefined) {
        if (E.isRight(result)) result = E.left("truncated or padded");
        return false;
      }
      try {
        decode(text);
      } catch (error) {
        result = E.left(reasonOf(error));
      }
      return result === undefined || E.isRight(result);
    },
    end: () => result ?? E.left(position === undefined ? "empty" : "truncated: no trailer"),
  };
};

/**
 * The snapshot `encodeStateSnapshot` wrote (its lines, without their "\n"), or why it is refused:
 * another format or schema, a truncated or corrupt text.
 */
export const decodeStateSnapshot = (lines: Iterable<string>): E.Either<string, RestoredSnapshot> => {
  const decoder = createSnapshotDecoder();
  for (const line of lines) if (!decoder.push(line)) break;
  return decoder.end();
};
