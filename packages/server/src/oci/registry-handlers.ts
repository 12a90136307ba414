/** Routes on the registry as a whole: the version check (`/v2/`) and the catalog (`/v2/_catalog`). */
import type { OciCall } from "./oci-context.js";
import { nextPageLink, orFail, sendJson } from "./oci-responses.js";

/** `GET /v2/`: 200 tells a client this is a registry/2.0 API and its credentials are good. */
export const checkApiVersion = async ({ response }: OciCall) => sendJson(response, 200, {});

/** The account's repositories in lexical order, `n` (default 1000) and `last`, with a `Link`. */
export const listCatalog = async ({ request, response, url, registry, registryId }: OciCall) => {
  const requested = Number(url.searchParams.get("n") ?? 1000);
  const n = Number.isInteger(requested) && requested >= 0 ? requested : 1000;
  const last = url.searchParams.get("last");
  const page = await orFail(
    { request, response },
    "manifest",
    registry.listRepositoryNames({ registryId, n, ...(last === null ? {} : { last }) }),
  );
  if (page === undefined) return;
  const lastName = page.names.at(-1);
  sendJson(
    response,
    200,
    { repositories: page.names },
    page.more && lastName !== undefined ? nextPageLink("/v2/_catalog", n, lastName) : {},
  );
};
