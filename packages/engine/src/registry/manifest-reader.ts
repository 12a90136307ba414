/**
 * Manifest text, read from the log. The state keeps no manifests (see ImageDraft): an image's text
 * is in the ImagePushed event that recorded it, and a pull reads it from there, by the store's index
 * when it has one (`EventStore.readImageManifest`), else by reading the repository's stream. A cache
 * of the manifests read or pushed last, bounded in characters, keeps the working set in memory, not
 * the history. A digest names its bytes, so the cache is keyed by digest alone, whatever repository.
 */
import { type Digest, type RegistryId, type RepositoryName, StreamNames } from "@berth/core";
import type { EventStore, RecordedEvent } from "../ports/event-store.js";

interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export interface ManifestReader {
  /** The manifest of an image of `ref`, byte-exact as pushed; undefined if the log has none. */
  read(ref: RepositoryRef, digest: Digest): Promise<string | undefined>;
  /** A manifest just pushed or fetched: the next pull of it reads nothing. */
  remember(digest: Digest, manifest: string): void;
}

/** The cache's default bound: 32 Mi characters (manifests are ASCII JSON: about as many bytes). */
export const DEFAULT_MANIFEST_CACHE_SIZE = 32 * 1024 * 1024;

/** The stream's last ImagePushed of `digest`: for stores without the index. */
const lastPushed = (stream: ReadonlyArray<RecordedEvent>, digest: Digest): string | undefined => {
  for (let i = stream.length - 1; i >= 0; i--) {
    const { type, data } = stream[i]!;
    const pushed = data as { imageDigest?: unknown; imageManifest?: unknown };
    if (type === "ImagePushed" && pushed.imageDigest === digest && typeof pushed.imageManifest === "string") {
      return pushed.imageManifest;
    }
  }
  return undefined;
};

/** A least-recently-used map of manifests whose total length stays within `limit`. */
const manifestCache = (limit: number) => {
  const entries = new Map<Digest, string>();
  let size = 0;
  return {
    get(digest: Digest): string | undefined {
      const text = entries.get(digest);
      if (text !== undefined) {
        entries.delete(digest);
        entries.set(digest, text);
      }
      return text;
    },
    set(digest: Digest, text: string): void {
      if (entries.has(digest) || text.length > limit) return;
      entries.set(digest, text);
      size += text.length;
      for (const [oldest, old] of entries) {
        if (size <= limit) break;
        entries.delete(oldest);
        size -= old.length;
      }
    },
  };
};

export const createManifestReader = (
  events: EventStore,
  cacheSize: number = DEFAULT_MANIFEST_CACHE_SIZE,
): ManifestReader => {
  const cache = manifestCache(cacheSize);
  /** Reads in flight, so a burst of pulls of one image reads it once. */
  const reading = new Map<Digest, Promise<string | undefined>>();

  const fromLog = async (ref: RepositoryRef, digest: Digest) => {
    const streamName = StreamNames.repository(ref.registryId, ref.repositoryName);
    return events.readImageManifest === undefined
      ? lastPushed(await events.readStream(streamName), digest)
      : events.readImageManifest(streamName, digest);
  };

  const read = (ref: RepositoryRef, digest: Digest): Promise<string | undefined> => {
    const cached = cache.get(digest);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = reading.get(digest);
    if (pending !== undefined) return pending;
    const started = fromLog(ref, digest)
      .then((text) => {
        if (text !== undefined) cache.set(digest, text);
        return text;
      })
      .finally(() => reading.delete(digest));
    reading.set(digest, started);
    return started;
  };

  return { read, remember: (digest, manifest) => cache.set(digest, manifest) };
};
