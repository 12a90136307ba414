/** Repository ARNs: `arn:aws:ecr:<region>:<registryId>:repository/<name>`. */
import * as E from "fp-ts/lib/Either.js";
import { type InvalidParameterException, RegistryErrors } from "../kernel/registry-errors.js";
import { RegistryId, RepositoryName } from "./primitives.js";

export const repositoryArn = (region: string, registryId: RegistryId, name: RepositoryName): string =>
  `arn:aws:ecr:${region}:${registryId}:repository/${name}`;

export interface RepositoryArnParts {
  readonly region: string;
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export const parseRepositoryArn = (arn: string): E.Either<InvalidParameterException, RepositoryArnParts> => {
  const match = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/.exec(arn);
  const registryId = match?.[2];
  const repositoryName = match?.[3];
  if (match === null || !RegistryId.is(registryId) || !RepositoryName.is(repositoryName)) {
    return E.left(
      RegistryErrors.invalidParameter(
        `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`,
      ),
    );
  }
  return E.right({ region: match[1]!, registryId, repositoryName });
};
