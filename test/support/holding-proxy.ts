/**
 * A proxy in front of a real registry that can hold a blob mid-transfer: while `holding`, a blob
 * GET larger than its first chunk gets its headers and that chunk, then nothing more until the
 * proxy closes. Lets a test crash
 * a process in the middle of a fill from a real upstream.
 */
import { createServer, request as forward } from "node:http";
import type { AddressInfo } from "node:net";

export interface HoldingProxy {
  readonly port: number;
  /** Hold blob bodies after their first chunk (default true). */
  holding: boolean;
  /** Resolves once a blob body is held. */
  readonly held: Promise<string>;
  close(): Promise<void>;
}

export async function startHoldingProxy(targetPort: number): Promise<HoldingProxy> {
  let onHeld: (url: string) => void = () => {};
  const held = new Promise<string>((resolve) => {
    onHeld = resolve;
  });
  const proxy: { holding: boolean } = { holding: true };
  const server = createServer((incoming, outgoing) => {
    const upstream = forward(
      {
        host: "127.0.0.1",
        port: targetPort,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!(proxy.holding && incoming.method === "GET" && incoming.url?.includes("/blobs/"))) {
          answer.pipe(outgoing);
          return;
        }
        answer.once("data", (chunk: Buffer) => {
          outgoing.write(chunk);
          // A blob whose first chunk is all of it passes: only a transfer can be held in its middle.
          if (chunk.length >= Number(answer.headers["content-length"] ?? 0)) {
            answer.pipe(outgoing);
            return;
          }
          answer.pause();
          onHeld(incoming.url ?? "");
        });
      },
    );
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(proxy, {
    port: (server.address() as AddressInfo).port,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
