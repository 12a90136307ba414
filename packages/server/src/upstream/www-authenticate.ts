/** Reading a `WWW-Authenticate` challenge: `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`. */

export interface Challenge {
  readonly scheme: "basic" | "bearer";
  readonly params: Readonly<Record<string, string>>;
}

const PARAM = /([A-Za-z][A-Za-z0-9_-]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;

/** The first challenge of the header, if it is Basic or Bearer; undefined otherwise. */
export const parseChallenge = (header: string | null): Challenge | undefined => {
  if (header === null) return undefined;
  const scheme = /^\s*(Basic|Bearer)\b/i.exec(header)?.[1]?.toLowerCase();
  if (scheme !== "basic" && scheme !== "bearer") return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(header.search(/\s|$/)).matchAll(PARAM)) {
    params[match[1]!.toLowerCase()] = (match[2] ?? match[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return { scheme, params };
};
