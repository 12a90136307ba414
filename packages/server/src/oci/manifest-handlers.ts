/**
 * Manifests (`/v2/<name>/manifests/<tag or digest>`): PUT is PutImage, GET/HEAD BatchGetImage (a GET
 * is a pull and records the pull time, a HEAD does not), DELETE BatchDeleteImage. Manifests travel
 * byte-exact, with the digest the core stored them under.
 */
import { IMAGE_MANIFEST_MAX_LENGTH, ImageTag, MediaType, MediaTypes } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { closeAfterRefusal } from "../http/close-after-refusal.js";
import { bodyReservation, INFLIGHT_RETRY_AFTER_SECONDS, inflightRefusal } from "../http/inflight-budget.js";
import { BodyTooLargeError, readBody } from "../http/read-body.js";
import { ensureRepository, type RepositoryCall } from "./oci-context.js";
import { ociError, ociErrorOf } from "./oci-errors.js";
import { API_VERSION, orFail, sendEmpty, sendError } from "./oci-responses.js";

const MANIFEST_TYPES = new Set<string>(Object.values(MediaTypes));

type ImageReference = { readonly imageDigest: string } | { readonly imageTag: ImageTag };
type ManifestHandler = (call: RepositoryCall<"manifest">, imageId: ImageReference) => Promise<void>;

/** Runs `handle` on the image the reference names: a digest has a `:`, a tag cannot. */
const onImage =
  (handle: ManifestHandler) =>
  async (call: RepositoryCall<"manifest">): Promise<void> => {
    const { request, response, route } = call;
    const { reference } = route;
    if (reference.includes(":")) return handle(call, { imageDigest: reference });
    if (ImageTag.is(reference)) return handle(call, { imageTag: reference });
    // No such tag can exist: a PUT is refused as invalid, anything else finds nothing.
    sendError(
      response,
      request.method === "PUT"
        ? ociError(400, "MANIFEST_INVALID", `Invalid tag '${reference}': a tag is 1 to 300 characters`)
        : ociError(404, "MANIFEST_UNKNOWN", `Invalid tag '${reference}': no manifest has it`),
      request,
    );
  };

/** The manifest body as UTF-8 text within ECR's size limit, or undefined once refused. */
const readManifest = async ({ request, response, budget }: RepositoryCall<"manifest">) => {
  // A manifest is buffered whole: it holds its share of the in-flight bound, or is refused unread.
  if (!budget.reserveFor(response, bodyReservation(request, IMAGE_MANIFEST_MAX_LENGTH))) {
    closeAfterRefusal(request, response);
    const error = ociError(429, "TOOMANYREQUESTS", inflightRefusal(budget));
    sendError(
      response,
      { ...error, headers: { "retry-after": String(INFLIGHT_RETRY_AFTER_SECONDS) } },
      request,
    );
    return undefined;
  }
  let body: Buffer;
  try {
    body = await readBody(request, IMAGE_MANIFEST_MAX_LENGTH);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    closeAfterRefusal(request, response);
    sendError(response, ociError(413, "SIZE_INVALID", error.message), request);
    return undefined;
  }
  const text = body.toString("utf8");
  if (Buffer.from(text, "utf8").equals(body)) return text;
  sendError(response, ociError(400, "MANIFEST_INVALID", "A manifest must be UTF-8 encoded JSON"), request);
  return undefined;
};

export const putManifest = onImage(async (call, imageId) => {
  const { request, response, registry, ref } = call;
  await ensureRepository(call);
  const text = await readManifest(call);
  if (text === undefined) return;
  const contentType = request.headers["content-type"]?.split(";")[0]?.trim();
  const put = await registry.putImage({
    ...ref,
    imageManifest: text,
    ...(contentType !== undefined && MediaType.is(contentType) && MANIFEST_TYPES.has(contentType)
      ? { imageManifestMediaType: contentType }
      : {}),
    ...imageId,
    rules: "oci",
  });
  if (E.isLeft(put)) return sendError(response, ociErrorOf(put.left, "manifest"), request);
  const { imageId: stored, subject } = put.right.image;
  const digest = stored.imageDigest;
  sendEmpty(response, 201, {
    location: `/v2/${ref.repositoryName}/manifests/${digest}`,
    "docker-content-digest": digest,
    ...(subject === undefined ? {} : { "oci-subject": subject }),
  });
});

/** The media types an Accept header lists (none: anything goes). */
const acceptedTypes = (accept: string | undefined) =>
  (accept ?? "")
    .split(",")
    .map((part) => part.split(";")[0]!.trim())
    .filter((part) => part.length > 0);

/** GET and HEAD: the manifest byte-exact, if the client accepts its media type. */
export const getManifest = onImage(async (call, imageId) => {
  const { request, response, registry, ref, route } = call;
  // A GET is a pull (its time is recorded); a HEAD only checks.
  const countsAsPull = request.method === "GET";
  const found = await orFail(
    call,
    "manifest",
    registry.batchGetImage({ ...ref, imageIds: [imageId], countsAsPull }),
  );
  if (found === undefined) return;
  const image = found.images[0];
  if (image === undefined) {
    // ECR answers 404 for an archived image too; the message says why.
    const failure = found.failures[0];
    const message =
      failure?.failureCode === "ImageInaccessible"
        ? `Manifest ${route.reference} is archived: restore it with UpdateImageStorageClass to pull it`
        : `Manifest ${route.reference} is not in ${ref.repositoryName}`;
    return sendError(response, ociError(404, "MANIFEST_UNKNOWN", message, failure), request);
  }
  const accept = acceptedTypes(request.headers.accept);
  const acceptable =
    accept.length === 0 ||
    accept.includes(image.imageManifestMediaType) ||
    accept.some((type) => type === "*/*" || !MANIFEST_TYPES.has(type));
  if (!acceptable) {
    const message = `Manifest ${route.reference} is a ${image.imageManifestMediaType}, which the Accept header does not list`;
    return sendError(response, ociError(404, "MANIFEST_UNKNOWN", message), request);
  }
  const bytes = Buffer.from(image.imageManifest, "utf8");
  response.writeHead(200, {
    ...API_VERSION,
    "content-type": image.imageManifestMediaType,
    "content-length": String(bytes.length),
    "docker-content-digest": image.imageId.imageDigest,
    etag: `"${image.imageId.imageDigest}"`,
  });
  response.end(request.method === "HEAD" ? undefined : bytes);
});

export const deleteManifest = onImage(async (call, imageId) => {
  const { request, response, registry, ref } = call;
  const deleted = await orFail(call, "manifest", registry.batchDeleteImage({ ...ref, imageIds: [imageId] }));
  if (deleted === undefined) return;
  const failure = deleted.failures[0];
  if (failure !== undefined) {
    const status = failure.failureCode === "ImageNotFound" ? 404 : 400;
    const code = failure.failureCode === "ImageNotFound" ? "MANIFEST_UNKNOWN" : "DENIED";
    return sendError(response, ociError(status, code, failure.failureReason, failure), request);
  }
  sendEmpty(response, 202, {});
});
