/**
 * Refusing a request whose body is still arriving. The answer asks the client to close
 * (`connection: close`), and what it still sends is read and dropped until the answer is out and a
 * moment more: a socket closed with unread bytes is reset by the kernel, and a client still sending
 * can lose the answer with it. The moment lasts while the client keeps sending (it has not read the
 * answer yet), until a second passes without a byte or five seconds after the answer at most; then
 * the socket is closed whatever the client does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A refused request's remaining bytes are drained until none came for this long… */
const LINGER_IDLE_MS = 1000;
/** …or this long after its answer was sent, whichever comes first. */
const LINGER_MAX_MS = 5000;

export const closeAfterRefusal = (request: IncomingMessage, response: ServerResponse): void => {
  if (request.complete) return;
  response.setHeader("connection", "close");
  request.resume();
  response.once("finish", () => {
    const close = () => request.socket.destroy();
    const idle = setTimeout(close, LINGER_IDLE_MS).unref();
    const longest = setTimeout(close, LINGER_MAX_MS).unref();
    request.on("data", () => idle.refresh());
    request.socket.once("close", () => {
      clearTimeout(idle);
      clearTimeout(longest);
    });
  });
};
