/**
 * A SnapshotStore in one file: a header line (`berth-snapshot <position> <length>`) and the bytes.
 * Each save writes `<path>.tmp` and moves it over `<path>` durably (flushed, renamed, directory
 * flushed), so a crash leaves the previous snapshot or the new one, never a torn file. One process
 * owns the file (the embedded storage's lock file keeps others out); its saves run one at a time.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { SnapshotStore, StoredSnapshot } from "@berth/engine";
import { isMissingFile } from "./file-errors.js";
import { moveDurably } from "./move-durably.js";

export interface FileSnapshotStoreOptions {
  /** The snapshot's file; its directory is created on the first save. */
  readonly path: string;
}

const HEADER = /^berth-snapshot ([0-9]{1,30}) ([0-9]{1,15})\n/;

/** The snapshot in `file`, or undefined when the file is not one whole snapshot. */
const parse = (file: Buffer): StoredSnapshot | undefined => {
  const newline = file.indexOf(0x0a);
  const header = HEADER.exec(file.subarray(0, newline + 1).toString("latin1"));
  if (header === null) return undefined;
  const state = file.subarray(newline + 1);
  return state.byteLength === Number(header[2]) ? { position: BigInt(header[1]!), state } : undefined;
};

export const createFileSnapshotStore = (options: FileSnapshotStoreOptions): SnapshotStore => {
  const { path } = options;
  const load = async (): Promise<StoredSnapshot | undefined> => {
    try {
      return parse(await readFile(path));
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
  };
  let saving: Promise<void> = Promise.resolve();
  const save = async (position: bigint, state: Uint8Array): Promise<void> => {
    const kept = await load();
    if (kept !== undefined && position <= kept.position) return;
    const temporary = `${path}.tmp`;
    const header = Buffer.from(`berth-snapshot ${position} ${state.byteLength}\n`, "latin1");
    await moveDurably(await written(temporary, [header, state]), path);
  };
  return {
    load,
    save: (position, state) => {
      const next = saving.then(() => save(position, state));
      saving = next.catch(() => {});
      return next;
    },
    close: () => saving,
  };
};

const written = async (path: string, parts: ReadonlyArray<Uint8Array>): Promise<string> => {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, parts);
  return path;
};
