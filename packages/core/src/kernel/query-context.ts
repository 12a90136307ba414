/** What queries need to know about where the registry runs: for ARNs and repository URIs. */
import type { RegistryId, RepositoryName } from "../values/primitives.js";

export interface QueryContext {
  readonly region: string;
  /** The host:port (and optional path) that docker pulls from, e.g. `localhost:5000`. */
  readonly registryHost: (registryId: RegistryId) => string;
}

export const repositoryUri = (context: QueryContext, registryId: RegistryId, name: RepositoryName): string =>
  `${context.registryHost(registryId)}/${name}`;

/** ECR's own host template, for embedders that want real-looking URIs. */
export const ecrRegistryHost =
  (region: string) =>
  (registryId: RegistryId): string =>
    `${registryId}.dkr.ecr.${region}.amazonaws.com`;
