/** Blobs (`/v2/<name>/blobs/<digest>`): GET/HEAD stream what the repository links; DELETE is refused. */
import { sendBlob } from "../http/send-blob.js";
import { type RepositoryCall, requireDigest } from "./oci-context.js";
import { ociError } from "./oci-errors.js";
import { API_VERSION, orFail, sendError } from "./oci-responses.js";

/** GET and HEAD (sendBlob leaves out the body for HEAD), with Range reads. */
export const getBlob = async (call: RepositoryCall<"blob">) => {
  const { request, response, registry, ref, route } = call;
  const digest = requireDigest(call, route.digest);
  if (digest === undefined) return;
  const blob = { ...ref, digest };
  const layer = await orFail(call, "blob", registry.statBlob(blob));
  if (layer === undefined) return;
  await sendBlob(registry, blob, layer.size, request, response, API_VERSION);
};

/** Blobs go when no image references them (garbage collection), never on a client's word. */
export const deleteBlob = async ({ request, response }: RepositoryCall<"blob">) =>
  sendError(
    response,
    ociError(405, "UNSUPPORTED", "Deleting blobs is not supported; delete images instead"),
    request,
  );
