/**
 * The version of each stream as of the handler's position, for the streams used last. A registry
 * makes a stream per upload, so remembering every one would grow with history (about 90 bytes per
 * upload ever made); this remembers at most `limit`, least recently used first out.
 *
 * A stream not remembered is new or forgotten. An append to it first expects it new (almost always
 * right: a new upload's stream); if the store says otherwise, the handler asks the store for the
 * stream's exact version (`exactStreamVersion`) and decides again.
 */
import type { EventStore } from "./ports/event-store.js";

/** Enough for every repository and registry stream and the uploads of the last few hours. */
export const DEFAULT_REMEMBERED_STREAMS = 100_000;

export class StreamVersions {
  #versions: Map<string, number>;
  readonly #limit: number;

  constructor(limit: number = DEFAULT_REMEMBERED_STREAMS, versions = new Map<string, number>()) {
    this.#limit = Math.max(limit, 1);
    this.#versions = versions;
    this.#trim();
  }

  get(stream: string): number | undefined {
    const version = this.#versions.get(stream);
    if (version !== undefined) this.set(stream, version);
    return version;
  }

  set(stream: string, version: number): void {
    this.#versions.delete(stream);
    this.#versions.set(stream, version);
    if (this.#versions.size > this.#limit) this.#trim();
  }

  /** A copy, for a snapshot. */
  copy(): Map<string, number> {
    return new Map(this.#versions);
  }

  #trim(): void {
    for (const stream of this.#versions.keys()) {
      if (this.#versions.size <= this.#limit) return;
      this.#versions.delete(stream);
    }
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
