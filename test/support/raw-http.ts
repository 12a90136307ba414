/**
 * HTTP/1.1 by hand over a TCP socket, for the tests of slow and hostile clients: send a head, then
 * body bytes at the pace a test chooses (or none), and see when and how the server answers or
 * hangs up. fetch cannot do this: it neither stalls mid-body nor shows a reset apart from an answer.
 */
import { connect, type Socket } from "node:net";

export interface RawOutcome {
  /** Status of the answer, or undefined when the server closed without one. */
  readonly status: number | undefined;
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Milliseconds from the connection to the whole answer, or to the close. */
  readonly elapsedMs: number;
  /** Body bytes the client had handed to the kernel when the answer (or the close) came. */
  readonly bodyBytesWritten: number;
}

export interface RawConnection {
  /** Writes and waits for the kernel to take the bytes; counts them as body unless `head`. */
  write(data: string | Uint8Array, head?: boolean): Promise<void>;
  /** Resolves once a whole answer has arrived or the connection closed. */
  readonly outcome: Promise<RawOutcome>;
  /** True once the outcome is known. */
  done(): boolean;
  destroy(): void;
}

const parse = (raw: Buffer) => {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.subarray(end + 4);
  const length = Number(headers["content-length"] ?? 0);
  if (body.length < length) return undefined;
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]),
    headers,
    body: body.toString("utf8"),
  };
};

export const openRaw = (port: number): Promise<RawConnection> =>
  new Promise((resolveOpen, rejectOpen) => {
    const started = performance.now();
    const socket: Socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let written = 0;
    let settled = false;
    let settle: (outcome: RawOutcome) => void = () => {};
    const outcome = new Promise<RawOutcome>((resolve) => {
      settle = (value) => {
        if (settled) return;
        settled = true;
        resolve(value);
        socket.destroy();
      };
    });
    const closedWithout = () =>
      settle({
        status: undefined,
        headers: {},
        body: received.toString("latin1"),
        elapsedMs: performance.now() - started,
        bodyBytesWritten: written,
      });
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const answer = parse(received);
      if (answer !== undefined)
        settle({ ...answer, elapsedMs: performance.now() - started, bodyBytesWritten: written });
    });
    // A reset while we write is how a server refuses a body it will not read: the answer, if any,
    // came before it (parsed above).
    socket.on("error", () => closedWithout());
    socket.on("close", () => closedWithout());
    socket.once("connect", () =>
      resolveOpen({
        write: (data, head = false) =>
          new Promise((resolve) => {
            if (settled || socket.destroyed) return resolve();
            const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
            socket.write(bytes, () => {
              if (!head) written += bytes.length;
              resolve();
            });
          }),
        outcome,
        done: () => settled,
        destroy: () => socket.destroy(),
      }),
    );
    socket.once("error", rejectOpen);
  });

/** Writes `size` body bytes of `fill` in `chunkSize` pieces, pausing `pauseMs` between them; stops early once answered. */
export const sendBody = async (
  connection: RawConnection,
  size: number,
  options: { readonly chunkSize?: number; readonly pauseMs?: number; readonly fill?: number } = {},
) => {
  const chunkSize = options.chunkSize ?? 256 * 1024;
  const chunk = Buffer.alloc(chunkSize, options.fill ?? 0x20);
  for (let sent = 0; sent < size && !connection.done(); sent += chunkSize) {
    await connection.write(chunk.subarray(0, Math.min(chunkSize, size - sent)));
    if (options.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
};
