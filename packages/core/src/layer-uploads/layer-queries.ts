/**
 * BatchCheckLayerAvailability, the layer behind GetDownloadUrlForLayer, and a repository's blob
 * (what OCI blob reads serve).
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { type LayerState, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import {
  type ByteOffset,
  Digest,
  LAYER_DIGEST_PATTERN,
  type MediaType,
  type RegistryId,
  type RepositoryName,
} from "../values/primitives.js";
import { findLayer } from "./repository-layers.js";

export interface LayerAvailability {
  readonly layerDigest: Digest;
  readonly layerAvailability: "AVAILABLE";
  readonly layerSize: ByteOffset;
  readonly mediaType?: MediaType;
}

export interface LayerFailure {
  readonly layerDigest: string;
  readonly failureCode: "InvalidLayerDigest" | "MissingLayerDigest";
  readonly failureReason: string;
}

export interface LayerQuery {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export const batchCheckLayerAvailability = (
  state: RegistryState,
  query: LayerQuery & { readonly layerDigests: ReadonlyArray<string> },
): E.Either<
  RegistryError,
  { layers: ReadonlyArray<LayerAvailability>; failures: ReadonlyArray<LayerFailure> }
> =>
  pipe(
    requireRepository(state, query),
    E.map((repository) => {
      const layers: LayerAvailability[] = [];
      const failures: LayerFailure[] = [];
      for (const layerDigest of query.layerDigests) {
        if (!LAYER_DIGEST_PATTERN.test(layerDigest)) {
          failures.push({
            layerDigest,
            failureCode: "InvalidLayerDigest",
            failureReason: "Invalid layer digest",
          });
          continue;
        }
        const layer = Digest.is(layerDigest) ? findLayer(state, repository, layerDigest) : undefined;
        if (layer === undefined) {
          failures.push({
            layerDigest,
            failureCode: "MissingLayerDigest",
            failureReason: "Could not find layer with digest",
          });
          continue;
        }
        layers.push({
          layerDigest: layer.digest,
          layerAvailability: "AVAILABLE",
          layerSize: layer.size,
          ...(layer.mediaType === undefined ? {} : { mediaType: layer.mediaType }),
        });
      }
      return { layers, failures };
    }),
  );

/**
 * The layer GetDownloadUrlForLayer may hand out: it must exist in the repository
 * (LayersNotFoundException) and be referenced by at least one image (LayerInaccessibleException),
 * as in ECR, where an uploaded layer is not downloadable until an image references it.
 */
export const downloadableLayer = (
  state: RegistryState,
  query: LayerQuery & { readonly layerDigest: string },
): E.Either<RegistryError, LayerState> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) => {
      const layer = Digest.is(query.layerDigest)
        ? findLayer(state, repository, query.layerDigest)
        : undefined;
      if (layer === undefined) {
        return E.left<RegistryError>(
          RegistryErrors.layersNotFound(
            `The layer with digest '${query.layerDigest}' does not exist in the repository with name '${query.repositoryName}' in the registry with id '${query.registryId}'`,
          ),
        );
      }
      if ((repository.blobReferences.get(layer.digest) ?? 0) === 0) {
        return E.left<RegistryError>(RegistryErrors.layerInaccessible(layer.digest));
      }
      return E.right(layer);
    }),
  );

/** A blob the repository holds (an uploaded or mounted layer or config), if any. */
export const repositoryBlob = (
  state: RegistryState,
  query: LayerQuery & { readonly digest: Digest },
): E.Either<RegistryError, LayerState | undefined> =>
  pipe(
    requireRepository(state, query),
    E.map((repository) => findLayer(state, repository, query.digest)),
  );
