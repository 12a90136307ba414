/**
 * Big containers inside one entry of the state (a repository's images, its push order): a snapshot
 * writes the entry with them emptied, then their contents a few hundred items to a line, so no line
 * takes long to encode or decode.
 */
import {
  type DigestsRead,
  type DigestsWritten,
  decodeValue,
  encodeValue,
  type Json,
  type ShapeList,
  Shapes,
  SnapshotFormatError,
} from "./snapshot-values.js";

export const ITEMS_PER_LINE = 200;

type Container = Map<unknown, unknown> | unknown[];

/** Where a big container sits in its entry: a member, or a member of a member. */
export type ContainerPath = readonly [string] | readonly [string, string];

export interface BigContainer {
  readonly path: ContainerPath;
  readonly container: Container;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

const isBig = (value: unknown): value is Container =>
  (value instanceof Map && value.size > ITEMS_PER_LINE) ||
  (Array.isArray(value) && value.length > ITEMS_PER_LINE);

const emptyLike = (container: Container): Container => (container instanceof Map ? new Map() : []);

/** The entry with its big containers (two levels deep) emptied, and those containers. */
export const splitEntry = (value: unknown): { readonly shell: unknown; readonly big: BigContainer[] } => {
  if (!isPlainObject(value)) return { shell: value, big: [] };
  const big: BigContainer[] = [];
  for (const [member, inner] of Object.entries(value)) {
    if (isBig(inner)) big.push({ path: [member], container: inner });
    else if (isPlainObject(inner))
      for (const [sub, deep] of Object.entries(inner))
        if (isBig(deep)) big.push({ path: [member, sub], container: deep });
  }
  if (big.length === 0) return { shell: value, big };
  const shell: Record<string, unknown> = { ...value };
  for (const { path, container } of big) {
    const [member, sub] = path;
    if (sub === undefined) shell[member] = emptyLike(container);
    else {
      // Copy the member once (it may hold several big containers), never the caller's object.
      if (shell[member] === value[member]) shell[member] = { ...(value[member] as object) };
      (shell[member] as Record<string, unknown>)[sub] = emptyLike(container);
    }
  }
  return { shell, big };
};

/** A big container's contents, a line's worth at a time (key, value, key, value… for a map), with their record shapes. */
export function* chunksOf(
  container: Container,
  digests?: DigestsWritten,
): Generator<{ readonly items: Json[]; readonly shapes: Shapes }, void, undefined> {
  let chunk: Json[] = [];
  let shapes = new Shapes();
  const perLine = (container instanceof Map ? 2 : 1) * ITEMS_PER_LINE;
  const push = (item: unknown) => chunk.push(encodeValue(item, shapes, digests));
  const full = () => chunk.length >= perLine;
  const next = () => {
    const done = { items: chunk, shapes };
    chunk = [];
    shapes = new Shapes();
    return done;
  };
  if (container instanceof Map) {
    for (const [key, value] of container) {
      push(key);
      push(value);
      if (full()) yield next();
    }
  } else {
    for (const item of container) {
      push(item);
      if (full()) yield next();
    }
  }
  if (chunk.length > 0) yield next();
}

const memberOf = (holder: unknown, name: unknown): unknown =>
  isPlainObject(holder) && typeof name === "string" && Object.hasOwn(holder, name) ? holder[name] : undefined;

/**
 * Appends a line's items to the container at `path` inside `entry` (which the shell emptied), a
 * map's values passed through `finish` (see shared-after-decode.ts) when given.
 */
export const appendTo = (
  entry: unknown,
  path: unknown,
  items: unknown,
  shapes: ShapeList,
  digests?: DigestsRead,
  finish?: (key: unknown, value: unknown) => unknown,
): void => {
  if (!Array.isArray(path) || path.length < 1 || path.length > 2 || !Array.isArray(items))
    throw new SnapshotFormatError("container items for nothing");
  const container =
    path.length === 1 ? memberOf(entry, path[0]) : memberOf(memberOf(entry, path[0]), path[1]);
  if (container instanceof Map) {
    if (items.length % 2 !== 0) throw new SnapshotFormatError("a map with a key but no value");
    for (let i = 0; i < items.length; i += 2) {
      const key = decodeValue(items[i], shapes, digests);
      const value = decodeValue(items[i + 1], shapes, digests);
      container.set(key, finish === undefined ? value : finish(key, value));
    }
  } else if (Array.isArray(container)) {
    for (const item of items) container.push(decodeValue(item, shapes, digests));
  } else throw new SnapshotFormatError("container items for nothing");
};
