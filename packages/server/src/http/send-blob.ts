/**
 * Streams a blob to an HTTP response, whole (200) or one `Range` of it (206; 416 when the range
 * cannot be served): the one blob sender behind OCI blob GET/HEAD and signed layer downloads.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "@berth/engine";

/** Parses a single `bytes=start-end` range (the only form registry clients send). */
const parseRange = (
  header: string | undefined,
  size: number,
): { start: number; end: number } | "invalid" | undefined => {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) return "invalid";
  if (m[1] === "") {
    const suffix = Number(m[2]);
    return suffix === 0 ? "invalid" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start > end || start >= size ? "invalid" : { start, end };
};

/** Writes a blob (or a range of it) to the response as a stream. */
export const sendBlob = async (
  registry: Registry,
  blob: Parameters<Registry["readBlob"]>[0],
  size: number,
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string> = {},
): Promise<void> => {
  const range = parseRange(request.headers.range, size);
  if (range === "invalid") {
    response.writeHead(416, { "content-range": `bytes */${size}`, ...headers });
    response.end();
    return;
  }
  const common = {
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes",
    "docker-content-digest": blob.digest,
    ...headers,
  };
  if (range === undefined) {
    response.writeHead(200, { ...common, "content-length": size });
  } else {
    response.writeHead(206, {
      ...common,
      "content-length": range.end - range.start + 1,
      "content-range": `bytes ${range.start}-${range.end}/${size}`,
    });
  }
  if (request.method === "HEAD" || size === 0) {
    response.end();
    return;
  }
  // writeAll waits for each chunk's write to finish before it takes the next: the store may lend.
  const bytes = await registry.readBlob({ ...blob, ...(range === undefined ? {} : { range }), lend: true });
  // The caller found the blob in its repository a moment ago: a Left now means it was deleted since.
  if (bytes._tag === "Left") throw new Error(bytes.left.message);
  await writeAll(bytes.right, response);
};

/** Resolves once the response can take more, or is closed (the client went away). */
const drainedOrClosed = (response: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });

/**
 * Writes each chunk to the response as it comes, waiting while the socket is full: what
 * `pipeline(Readable.from(…))` did, without a stream in object mode between the blob and the
 * socket. When the client goes away the loop stops, which closes the blob's stream.
 */
const writeAll = async (bytes: AsyncIterable<Uint8Array>, response: ServerResponse): Promise<void> => {
  for await (const chunk of bytes) {
    if (response.destroyed) return;
    if (!response.write(chunk)) await drainedOrClosed(response);
  }
  if (!response.destroyed) response.end();
};
