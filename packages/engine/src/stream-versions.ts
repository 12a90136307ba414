/**
 * The version of each stream as of the handler's position, for the streams used last. A registry
 * makes a stream per upload, so remembering every one would grow with history (about 90 bytes per
 * upload ever made); this remembers at most `limit`, those used longest ago first out.
 *
 * A stream not remembered is new or forgotten. An append to it first expects it new (almost always
 * right: a new upload's stream); if the store says otherwise, the handler asks the store for the
 * stream's exact version (`exactStreamVersion`) and decides again.
 */
import type { EventStore } from "./ports/event-store.js";

/** Enough for every repository and registry stream and the uploads of the last few hours. */
export const DEFAULT_REMEMBERED_STREAMS = 100_000;

/**
 * Two generations instead of a strict LRU list (which costs a delete and an insert per event): new
 * and refreshed entries go to `young`; when it holds half the limit it becomes `old` and the
 * previous `old` is dropped. What was used within the last half-limit of distinct streams stays.
 */
export class StreamVersions {
  #young = new Map<string, number>();
  #old = new Map<string, number>();
  readonly #half: number;

  constructor(limit: number = DEFAULT_REMEMBERED_STREAMS) {
    this.#half = Math.max(Math.ceil(limit / 2), 1);
  }

  /**
   * Versions restored from a snapshot, handed over (not copied: a snapshot holds up to `limit` of
   * them) as the older generation: kept while they are used, dropped once half the limit of other
   * streams was used since.
   */
  static restored(versions: Map<string, number>, limit: number = DEFAULT_REMEMBERED_STREAMS): StreamVersions {
    const restored = new StreamVersions(limit);
    restored.#old = versions;
    return restored;
  }

  get(stream: string): number | undefined {
    const young = this.#young.get(stream);
    if (young !== undefined) return young;
    const old = this.#old.get(stream);
    if (old !== undefined) this.set(stream, old);
    return old;
  }

  set(stream: string, version: number): void {
    this.#young.set(stream, version);
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
  }

  /** A copy, for a snapshot. */
  copy(): Map<string, number> {
    const copy = new Map(this.#old);
    for (const [stream, version] of this.#young) copy.set(stream, version);
    return copy;
  }
}

/**
 * The stream's version as of `position` from the store, or undefined when the stream has an event
 * after `position` (the caller catches up first).
 */
export const exactStreamVersion = async (
  store: EventStore,
  stream: string,
  position: bigint,
): Promise<number | undefined> => {
  const version = await store.streamVersion(stream);
  if (version === 0) return 0;
  const [last] = await store.readStream(stream, { afterVersion: version - 1, maxCount: 1 });
  return last !== undefined && last.globalPosition <= position ? version : undefined;
};
