/**
 * Image read models the OCI distribution API needs beyond ECR's own queries: a repository's tags in
 * lexical order (paginated by `n` and `last`) and the referrers of a manifest.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { RepositoryRef } from "../kernel/message.js";
import type { RegistryError } from "../kernel/registry-errors.js";
import { type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { Digest, MediaType } from "../values/primitives.js";

/** Tags after `last`, in lexical (code unit) order, at most `n` of them, and whether more follow. */
export const listTags = (
  state: RegistryState,
  query: RepositoryRef & { readonly n?: number; readonly last?: string },
): E.Either<RegistryError, { tags: ReadonlyArray<string>; more: boolean }> =>
  pipe(
    requireRepository(state, query),
    E.map((repository) => {
      const after = query.last;
      const sorted = [...repository.tags.keys()].filter((tag) => after === undefined || tag > after).sort();
      const page = query.n === undefined ? sorted : sorted.slice(0, query.n);
      return { tags: page, more: page.length < sorted.length };
    }),
  );

export interface ReferrerDescriptor {
  readonly mediaType: MediaType;
  readonly digest: Digest;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Manifests whose subject is `digest`, as OCI descriptors, optionally only of one artifactType. */
export const listReferrers = (
  state: RegistryState,
  query: RepositoryRef & { readonly digest: Digest; readonly artifactType?: string },
): E.Either<RegistryError, ReadonlyArray<ReferrerDescriptor>> =>
  pipe(
    requireRepository(state, query),
    E.map((repository) => {
      const descriptors: ReferrerDescriptor[] = [];
      for (const digest of repository.referrers.get(query.digest) ?? []) {
        const image = repository.images.get(digest);
        if (image === undefined) continue;
        if (query.artifactType !== undefined && image.artifactMediaType !== query.artifactType) continue;
        const annotations = image.referrer?.annotations;
        descriptors.push({
          mediaType: image.manifestMediaType,
          digest: image.digest,
          size: image.referrer?.manifestSize ?? 0,
          ...(image.artifactMediaType === undefined ? {} : { artifactType: image.artifactMediaType }),
          ...(annotations === undefined ? {} : { annotations }),
        });
      }
      return descriptors;
    }),
  );
