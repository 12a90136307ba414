/** Repository ARNs: `arn:aws:ecr:<region>:<registryId>:repository/<name>`. */
import * as E from "fp-ts/lib/Either.js";
import { type InvalidParameterException, RegistryErrors } from "../kernel/registry-errors.js";
import { AccountId, type RegistryId, RepositoryName } from "./primitives.js";
import { accountOf, regionOf } from "./registry-key.js";

/** The ARN of repository `name` in registry `registryId` (a key: its region, else `defaultRegion`). */
export const repositoryArn = (defaultRegion: string, registryId: RegistryId, name: RepositoryName): string =>
  `arn:aws:ecr:${regionOf(registryId, defaultRegion)}:${accountOf(registryId)}:repository/${name}`;

export interface RepositoryArnParts {
  readonly region: string;
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export const parseRepositoryArn = (arn: string): E.Either<InvalidParameterException, RepositoryArnParts> => {
  const match = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/.exec(arn);
  const registryId = match?.[2];
  const repositoryName = match?.[3];
  if (match === null || !AccountId.is(registryId) || !RepositoryName.is(repositoryName)) {
    return E.left(
      RegistryErrors.invalidParameter(
        `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`,
      ),
    );
  }
  return E.right({ region: match[1]!, registryId, repositoryName });
};
