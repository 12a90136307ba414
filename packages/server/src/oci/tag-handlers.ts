/** The tags list (`/v2/<name>/tags/list`): lexical order, `n` and `last`, a `Link` to the next page. */
import type { RepositoryCall } from "./oci-context.js";
import { ociError } from "./oci-errors.js";
import { nextPageLink, orFail, sendError, sendJson } from "./oci-responses.js";

export const listTags = async ({ request, response, url, registry, ref }: RepositoryCall<"tags">) => {
  const n = url.searchParams.get("n");
  const last = url.searchParams.get("last");
  const limit = n === null ? undefined : Number(n);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    return sendError(response, ociError(400, "UNSUPPORTED", `Invalid n '${n}'`), request);
  }
  const page = await orFail(
    { request, response },
    "manifest",
    registry.listTags({
      ...ref,
      ...(limit === undefined ? {} : { n: limit }),
      ...(last === null ? {} : { last }),
    }),
  );
  if (page === undefined) return;
  const lastTag = page.tags.at(-1);
  sendJson(
    response,
    200,
    { name: ref.repositoryName, tags: page.tags },
    page.more && lastTag !== undefined
      ? nextPageLink(`/v2/${ref.repositoryName}/tags/list`, limit, lastTag)
      : undefined,
  );
};
