/**
 * The request target as a path and query. `new URL(request.url, base)` would read a target that
 * starts with `//` as a host (`//x/v2/` becomes host `x`, path `/v2/`) and throws on some (`//:0x/`):
 * prefixing our own origin keeps every origin-form target a path, `//x/v2/` the path `//x/v2/`.
 */
import type { IncomingMessage } from "node:http";

const ORIGIN = "http://localhost";

/** `scheme://…`: the absolute form, which a server must accept (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

const onOrigin = (pathAndQuery: string): URL | undefined => {
  try {
    const url = new URL(`${ORIGIN}${pathAndQuery}`);
    return url.origin === ORIGIN ? url : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The target as a URL on our own origin; from the absolute form, only its path and query are kept.
 * Undefined when the target is no path at all (`*`, garbage).
 */
export const requestTarget = (request: IncomingMessage): URL | undefined => {
  const target = request.url ?? "/";
  if (target.startsWith("/")) return onOrigin(target);
  if (!ABSOLUTE_FORM.test(target)) return undefined;
  try {
    const absolute = new URL(target);
    return onOrigin(`${absolute.pathname}${absolute.search}`);
  } catch {
    return undefined;
  }
};
