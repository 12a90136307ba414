/**
 * Refusing a request whose body is still arriving. The answer asks the client to close
 * (`connection: close`), and what it still sends is read and dropped until the answer is out and a
 * moment more: a socket closed with unread bytes is reset by the kernel, and a client still sending
 * can lose the answer with it. After that moment the socket is closed whatever the client does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a refused request's remaining bytes are drained after its answer is sent. */
const LINGER_MS = 1000;

export const closeAfterRefusal = (request: IncomingMessage, response: ServerResponse): void => {
  if (request.complete) return;
  response.setHeader("connection", "close");
  request.resume();
  response.once("finish", () => {
    const timer = setTimeout(() => request.socket.destroy(), LINGER_MS);
    timer.unref();
    request.socket.once("close", () => clearTimeout(timer));
  });
};
