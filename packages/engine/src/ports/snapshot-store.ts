/**
 * The snapshot store port: where a process keeps the latest snapshot of its folded state, so that
 * the next start folds only the events after it instead of the whole log. A snapshot is a shortcut,
 * never the truth: the engine checks what it loads and folds the log from the start when a snapshot
 * is missing, corrupt or of another format, and a store that loses one costs only time.
 */

/**
 * A snapshot as stored: the global position it was taken at, and its bytes (opaque to the store),
 * all at once or as they are read. A store that streams them (a big snapshot then need never be
 * held whole, and is decoded while it arrives) may hold a connection or a file until the stream
 * ends or is closed (its `return`): the engine always does one or the other. A stream that cannot
 * give all the bytes saved (they went missing meanwhile) ends with an error.
 */
export interface StoredSnapshot {
  readonly position: bigint;
  readonly state: SnapshotBytes;
}

/** A snapshot's bytes as a store answers them: all at once, or as they are read. */
export type SnapshotBytes = Uint8Array | AsyncIterable<Uint8Array>;

export interface SnapshotStore {
  /** The snapshot with the highest position saved so far, or undefined when there is none. */
  load(): Promise<StoredSnapshot | undefined>;
  /**
   * Keeps `state` as the snapshot at `position`, atomically: a crash leaves the previous snapshot or
   * this one, never a mix. A snapshot at a position no higher than the one kept is dropped (processes
   * sharing a store may save out of order); older ones may be deleted. The store takes ownership of
   * `state` (it may keep it without a copy: a big snapshot is not copied again); the caller never
   * changes it afterwards.
   */
  save(position: bigint, state: Uint8Array): Promise<void>;
  /** Releases what the store holds (files, connections it owns). */
  close(): Promise<void>;
}
