/**
 * A repository's layers: which blobs it links (`RepositoryDraft.layers`, with each one's media
 * type) and what the layer queries answer of one (its size from the blob index).
 */
import type {
  LayerState,
  RegistryState,
  RepositoryDraft,
  RepositoryState,
} from "../kernel/registry-state.js";
import type { ByteOffset, Digest } from "../values/primitives.js";

/** Links `digest` to the repository; its media type stays unknown until a manifest names it. */
export const linkLayer = (repository: RepositoryDraft, digest: Digest): void => {
  if (!repository.layers.has(digest)) repository.layers.set(digest, null);
};

/** The layer `digest` of `repository`, or undefined when the repository does not link it. */
export const findLayer = (
  state: RegistryState,
  repository: RepositoryState,
  digest: Digest,
): LayerState | undefined => {
  const mediaType = repository.layers.get(digest);
  if (mediaType === undefined) return undefined;
  // A linked blob is always in the index (test: referential-integrity's blobIndexProblems).
  const size = (state.blobs.get(digest)?.size ?? 0) as ByteOffset;
  return mediaType === null ? { digest, size } : { digest, size, mediaType };
};

/** Every layer of `repository`, in link order. */
export const repositoryLayers = (state: RegistryState, repository: RepositoryState): LayerState[] =>
  [...repository.layers.keys()].flatMap((digest) => findLayer(state, repository, digest) ?? []);
