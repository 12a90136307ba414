/** The referrers API (`/v2/<name>/referrers/<digest>`): an image index, 200 even when empty. */
import { MediaTypes } from "@berth/core";
import { type RepositoryCall, requireDigest } from "./oci-context.js";
import { orFail, sendJson } from "./oci-responses.js";

export const listReferrers = async (call: RepositoryCall<"referrers">) => {
  const { request, response, url, registry, ref, route } = call;
  const digest = requireDigest(call, route.digest);
  if (digest === undefined) return;
  const artifactType = url.searchParams.get("artifactType");
  const referrers = await orFail(
    { request, response },
    "manifest",
    registry.listReferrers({ ...ref, digest, ...(artifactType === null ? {} : { artifactType }) }),
  );
  if (referrers === undefined) return;
  sendJson(
    response,
    200,
    { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: referrers },
    {
      "content-type": MediaTypes.ociIndex,
      ...(artifactType === null ? {} : { "oci-filters-applied": "artifactType" }),
    },
  );
};
