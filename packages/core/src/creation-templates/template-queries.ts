/** DescribeRepositoryCreationTemplates: the registry's templates in prefix order, a page at a time. */
import * as E from "fp-ts/lib/Either.js";
import { invalidToken, type PageRequest, pageSize } from "../kernel/pagination.js";
import type { RegistryError } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";
import { type CreationTemplate, namespaceOf } from "./template-values.js";

export interface DescribeRepositoryCreationTemplatesQuery extends PageRequest {
  readonly registryId: RegistryId;
  /** Only the templates of these prefixes (`prod` and `prod/` name one); others are not an error. */
  readonly prefixes?: ReadonlyArray<string>;
}

export interface DescribeRepositoryCreationTemplatesResult {
  readonly registryId: RegistryId;
  readonly repositoryCreationTemplates: ReadonlyArray<CreationTemplate>;
  readonly nextToken?: string;
}

/** A token names the last prefix answered, so it stays valid while templates come and go. */
const TOKEN = /^rct1\.(.{1,256})$/;

export const describeRepositoryCreationTemplates = (
  state: RegistryState,
  query: DescribeRepositoryCreationTemplatesQuery,
): E.Either<RegistryError, DescribeRepositoryCreationTemplatesResult> => {
  const after = query.nextToken === undefined ? "" : TOKEN.exec(query.nextToken)?.[1];
  if (after === undefined) return E.left(invalidToken());
  const wanted = query.prefixes === undefined ? undefined : new Set(query.prefixes.map(namespaceOf));
  const all = (registrySettings(state, query.registryId).creationTemplates ?? []).filter(
    (template) =>
      template.prefix > after && (wanted === undefined || wanted.has(namespaceOf(template.prefix))),
  );
  const page = all.slice(0, pageSize(query));
  const last = page.at(-1);
  return E.right({
    registryId: query.registryId,
    repositoryCreationTemplates: page,
    ...(all.length > page.length && last !== undefined ? { nextToken: `rct1.${last.prefix}` } : {}),
  });
};
