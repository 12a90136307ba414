/**
 * GetSigningConfiguration, DescribeImageSigningStatus and ListImageReferrers. Signatures are what
 * notation and cosign push: OCI artifacts whose `subject` is the image and whose artifactType says
 * signature; Berth signs nothing itself, so an image a rule covers is COMPLETE once signed.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { resolveImageId } from "../images/image-queries.js";
import { listReferrers, type ReferrerDescriptor } from "../images/oci-image-queries.js";
import { invalidToken } from "../kernel/pagination.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import {
  type RegistryState,
  registrySettings,
  requireRepository,
  type SigningRuleState,
} from "../kernel/registry-state.js";
import { Digest, type RegistryId, type RepositoryName } from "../values/primitives.js";

/** Artifact types of signatures: Notary Project (notation), cosign, Sigstore bundles. */
export const SIGNATURE_ARTIFACT_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.cncf.notary.signature",
  "application/vnd.dev.cosign.artifact.sig.v1+json",
  "application/vnd.dev.sigstore.bundle.v0.3+json",
  "application/vnd.dev.sigstore.bundle+json;version=0.3",
]);

export const getSigningConfiguration = (
  state: RegistryState,
  query: { readonly registryId: RegistryId },
): E.Either<
  RegistryError,
  { registryId: RegistryId; signingConfiguration: { rules: ReadonlyArray<SigningRuleState> } }
> => {
  const rules = registrySettings(state, query.registryId).signingRules;
  return rules === undefined
    ? E.left(RegistryErrors.signingConfigurationNotFound(query.registryId))
    : E.right({ registryId: query.registryId, signingConfiguration: { rules } });
};

/** WILDCARD_MATCH: `*` matches any run of characters, the rest literally. */
const wildcardMatches = (filter: string, name: string): boolean =>
  new RegExp(
    `^${filter
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(name);

/** A rule without filters covers every repository; with filters, those any filter matches. */
export const ruleCovers = (rule: SigningRuleState, name: RepositoryName): boolean =>
  rule.repositoryFilters === undefined || rule.repositoryFilters.some((f) => wildcardMatches(f.filter, name));

export interface ImageSigningStatus {
  readonly signingProfileArn: string;
  readonly status: "COMPLETE" | "FAILED";
  readonly failureCode?: string;
  readonly failureReason?: string;
}

export const describeImageSigningStatus = (
  state: RegistryState,
  query: {
    readonly registryId: RegistryId;
    readonly repositoryName: RepositoryName;
    readonly imageId: { readonly imageDigest?: string; readonly imageTag?: string };
  },
): E.Either<
  RegistryError,
  {
    registryId: RegistryId;
    repositoryName: RepositoryName;
    imageId: { imageDigest: string; imageTag?: string };
    signingStatuses: ReadonlyArray<ImageSigningStatus>;
  }
> =>
  pipe(
    requireRepository(state, query),
    E.chain((repository) =>
      pipe(
        resolveImageId(repository, query.imageId),
        E.bimap(
          (failure): RegistryError =>
            RegistryErrors.imageNotFound(
              `The image with imageId {imageDigest:'${query.imageId.imageDigest ?? "null"}', imageTag:'${query.imageId.imageTag ?? "null"}'} does not exist within the repository with name '${query.repositoryName}' in the registry with id '${query.registryId}' (${failure.failureReason})`,
            ),
          (image) => ({ repository, image }),
        ),
      ),
    ),
    E.map(({ repository, image }) => {
      const signed = [...(repository.referrers.get(image.digest) ?? [])].some((digest) => {
        const artifactType = repository.images.get(digest)?.artifactMediaType;
        return artifactType !== undefined && SIGNATURE_ARTIFACT_TYPES.has(artifactType);
      });
      const rules = (registrySettings(state, query.registryId).signingRules ?? []).filter((rule) =>
        ruleCovers(rule, query.repositoryName),
      );
      return {
        registryId: query.registryId,
        repositoryName: query.repositoryName,
        imageId: {
          imageDigest: image.digest,
          ...(query.imageId.imageTag === undefined ? {} : { imageTag: query.imageId.imageTag }),
        },
        signingStatuses: rules.map(
          (rule): ImageSigningStatus =>
            signed
              ? { signingProfileArn: rule.signingProfileArn, status: "COMPLETE" }
              : {
                  signingProfileArn: rule.signingProfileArn,
                  status: "FAILED",
                  failureCode: "SignatureNotFound",
                  failureReason: "No signature is stored as a referrer of the image",
                },
        ),
      };
    }),
  );

export interface ImageReferrer extends ReferrerDescriptor {
  readonly artifactStatus: "ACTIVE";
}

const REFERRER_TOKEN = /^ref1\.(sha256:[a-f0-9]{64})$/;
const DEFAULT_REFERRERS_PAGE = 50;

/**
 * The referrers of `subjectId.imageDigest` in digest order, of the given artifact types if any, a
 * page at a time (the token names the last digest answered, so it survives pushes and deletions).
 * Berth archives nothing: every referrer is ACTIVE.
 */
export const listImageReferrers = (
  state: RegistryState,
  query: {
    readonly registryId: RegistryId;
    readonly repositoryName: RepositoryName;
    readonly subjectId: { readonly imageDigest: string };
    readonly filter?: { readonly artifactTypes?: ReadonlyArray<string>; readonly artifactStatus?: string };
    readonly nextToken?: string;
    readonly maxResults?: number;
  },
): E.Either<RegistryError, { referrers: ReadonlyArray<ImageReferrer>; nextToken?: string }> => {
  const after = query.nextToken === undefined ? "" : REFERRER_TOKEN.exec(query.nextToken)?.[1];
  if (after === undefined) return E.left(invalidToken());
  const subject = query.subjectId.imageDigest;
  const archivedOnly =
    query.filter?.artifactStatus === "ARCHIVED" || query.filter?.artifactStatus === "ACTIVATING";
  const types = query.filter?.artifactTypes ?? [];
  return pipe(
    Digest.is(subject)
      ? listReferrers(state, {
          registryId: query.registryId,
          repositoryName: query.repositoryName,
          digest: subject,
        })
      : pipe(
          requireRepository(state, query),
          E.map((): ReadonlyArray<ReferrerDescriptor> => []),
        ),
    E.map((descriptors) => {
      const matching = descriptors
        .filter((d) => !archivedOnly && d.digest > after)
        .filter((d) => types.length === 0 || (d.artifactType !== undefined && types.includes(d.artifactType)))
        .sort((a, b) => (a.digest < b.digest ? -1 : 1));
      const page = matching.slice(0, query.maxResults ?? DEFAULT_REFERRERS_PAGE);
      const referrers = page.map((d): ImageReferrer => ({ ...d, artifactStatus: "ACTIVE" }));
      const last = page.at(-1);
      return matching.length > page.length && last !== undefined
        ? { referrers, nextToken: `ref1.${last.digest}` }
        : { referrers };
    }),
  );
};
