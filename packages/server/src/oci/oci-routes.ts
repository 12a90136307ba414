/**
 * The /v2 API as one route × method table (as distribution's registry/handlers dispatch): a
 * method a route does not list is answered 405 UNSUPPORTED; a repository route's name is checked
 * before its handler runs.
 */
import { RepositoryName } from "@berth/core";
import { deleteBlob, getBlob } from "./blob-handlers.js";
import { deleteManifest, getManifest, putManifest } from "./manifest-handlers.js";
import type { OciCall, RepositoryCall, RepositoryRoute } from "./oci-context.js";
import { ociError } from "./oci-errors.js";
import type { OciRoute } from "./oci-paths.js";
import { sendError } from "./oci-responses.js";
import { listReferrers } from "./referrer-handlers.js";
import { checkApiVersion, listCatalog } from "./registry-handlers.js";
import { listTags } from "./tag-handlers.js";
import { cancelUpload, closeUpload, patchUpload, startUpload, uploadProgress } from "./upload-handlers.js";

type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
type Handlers<C> = Partial<Record<Method, (call: C) => Promise<void>>>;

type RouteTable = { readonly [K in "base" | "catalog"]: Handlers<OciCall> } & {
  readonly [K in RepositoryRoute["kind"]]: Handlers<RepositoryCall<K>>;
};

export const OCI_ROUTES: RouteTable = {
  base: { GET: checkApiVersion, HEAD: checkApiVersion },
  catalog: { GET: listCatalog },
  blob: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob },
  uploads: { POST: startUpload },
  upload: { GET: uploadProgress, PATCH: patchUpload, PUT: closeUpload, DELETE: cancelUpload },
  manifest: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  tags: { GET: listTags },
  referrers: { GET: listReferrers },
};

/** The handler for `method`, own properties only (a method named like an Object builtin finds none). */
const handlerOf = <C>(handlers: Handlers<C>, method: string) =>
  Object.hasOwn(handlers, method) ? handlers[method as Method] : undefined;

const notAllowed = ({ request, response }: OciCall, method: string) =>
  sendError(response, ociError(405, "UNSUPPORTED", `${method} is not supported here`), request);

/** Runs the handler the table names for this route and method. */
export const dispatchOci = async (call: OciCall, route: OciRoute): Promise<void> => {
  const method = call.request.method ?? "GET";
  if (route.kind === "base" || route.kind === "catalog") {
    const handler = handlerOf(OCI_ROUTES[route.kind], method);
    return handler === undefined ? notAllowed(call, method) : handler(call);
  }
  if (!RepositoryName.is(route.name)) {
    const error = ociError(400, "NAME_INVALID", `Invalid repository name '${route.name}'`);
    return sendError(call.response, error, call.request);
  }
  // Indexed by the route's own kind: the call matches its handler by construction.
  const handlers = OCI_ROUTES[route.kind] as Handlers<RepositoryCall<RepositoryRoute["kind"]>>;
  const handler = handlerOf(handlers, method);
  if (handler === undefined) return notAllowed(call, method);
  return handler({ ...call, route, ref: { registryId: call.registryId, repositoryName: route.name } });
};
