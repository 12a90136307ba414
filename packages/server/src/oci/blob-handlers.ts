/** Blobs (`/v2/<name>/blobs/<digest>`): GET/HEAD stream what the repository links; DELETE is refused. */
import * as E from "fp-ts/lib/Either.js";
import { sendBlob } from "../http/send-blob.js";
import { type RepositoryCall, requireDigest } from "./oci-context.js";
import { ociError } from "./oci-errors.js";
import { API_VERSION, orFail, sendEmpty, sendError } from "./oci-responses.js";

/** How long a redirect's presigned URL works: distribution's 20 minutes. */
const BLOB_REDIRECT_SECONDS = 20 * 60;

/**
 * GET and HEAD (sendBlob leaves out the body for HEAD), with Range reads. With --blob-redirect and a
 * blob store that presigns, a GET is answered 307 to the blob's presigned URL instead.
 */
export const getBlob = async (call: RepositoryCall<"blob">) => {
  const { request, response, registry, ref, route } = call;
  const digest = requireDigest(call, route.digest);
  if (digest === undefined) return;
  const blob = { ...ref, digest };
  const layer = await orFail(call, "blob", registry.statBlob(blob));
  if (layer === undefined) return;
  if (call.blobRedirect && request.method === "GET") {
    // As distribution's S3 driver does: the client fetches the bytes (Range included) from S3.
    const presigned = await registry.presignedBlobUrl({ ...blob, expiresInSeconds: BLOB_REDIRECT_SECONDS });
    if (E.isRight(presigned) && presigned.right !== undefined)
      return sendEmpty(response, 307, { location: presigned.right, "docker-content-digest": digest });
  }
  await sendBlob(registry, blob, layer.size, request, response, API_VERSION);
};

/** Blobs go when no image references them (garbage collection), never on a client's word. */
export const deleteBlob = async ({ request, response }: RepositoryCall<"blob">) =>
  sendError(
    response,
    ociError(405, "UNSUPPORTED", "Deleting blobs is not supported; delete images instead"),
    request,
  );
