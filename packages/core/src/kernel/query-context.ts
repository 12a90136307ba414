/** What queries need to know about where the registry runs: for ARNs and repository URIs. */
import type { RegistryId, RepositoryName } from "../values/primitives.js";
import { accountOf, regionOf } from "../values/registry-key.js";

export interface QueryContext {
  /** The default region: the region of a registry keyed by its bare account (values/registry-key.ts). */
  readonly region: string;
  /** The host:port (and optional path) that docker pulls from, e.g. `localhost:5000`. */
  readonly registryHost: (registryId: RegistryId) => string;
}

export const repositoryUri = (context: QueryContext, registryId: RegistryId, name: RepositoryName): string =>
  `${context.registryHost(registryId)}/${name}`;

/** ECR's own host template, for embedders that want real-looking URIs: the key's account and region. */
export const ecrRegistryHost =
  (defaultRegion: string) =>
  (registryId: RegistryId): string =>
    `${accountOf(registryId)}.dkr.ecr.${regionOf(registryId, defaultRegion)}.amazonaws.com`;
