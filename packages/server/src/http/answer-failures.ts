/**
 * The last line of each front end: an unexpected failure (a bug, storage down) is logged and
 * answered in that front end's own shape, so a /v2 client never reads an AWS error. Once the
 * headers are out no answer can follow: the socket is destroyed so the client sees a cut body. A
 * client that went away mid-request (an aborted push, a killed docker) is logged at info: the
 * failure is the client's, and errors stay for what an operator must look at.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { StorageBusyError } from "@berth/engine";
import type { Logger } from "pino";

/** Answers an unexpected failure; `error` lets a front end tell "storage busy, retry" from a bug. */
type Answer = (request: IncomingMessage, response: ServerResponse, error: unknown) => void;

/** The client closed its connection while its request body was still arriving. */
const clientWentAway = (request: IncomingMessage): boolean =>
  !request.complete && (request.destroyed || request.socket.destroyed);

export const UNEXPECTED_FAILURE_MESSAGE = "The server could not complete the request; it has been logged";

export const answeringFailures =
  <Rest extends unknown[]>(
    logger: Logger,
    answer: Answer,
    handle: (request: IncomingMessage, response: ServerResponse, ...rest: Rest) => Promise<void>,
  ) =>
  async (request: IncomingMessage, response: ServerResponse, ...rest: Rest): Promise<void> => {
    try {
      await handle(request, response, ...rest);
    } catch (error) {
      if (clientWentAway(request)) {
        // The client's doing, not a failure of ours: there is no one left to answer.
        logger.info(
          {
            method: request.method,
            url: request.url,
            reason: error instanceof Error ? error.message : String(error),
          },
          "client closed the connection before its request was complete",
        );
        response.destroy();
        return;
      }
      const context = { err: error, method: request.method, url: request.url };
      // A full pool is load, not a bug: the client is told to retry.
      if (error instanceof StorageBusyError) logger.warn(context, "storage busy: answered retry later");
      else logger.error(context, "request failed");
      if (response.headersSent) {
        response.destroy();
        return;
      }
      answer(request, response, error);
    }
  };

/** What a client is told when the storage is busy: the message, and when to retry. */
export const storageBusyMessage = (error: StorageBusyError) =>
  `The registry's storage is busy (${error.message}); retry in ${error.retryAfterSeconds} s`;

/** `Retry-After` for a busy storage, in seconds (RFC 9110 §10.2.3). */
export const retryAfter = (error: StorageBusyError) => ({ "retry-after": String(error.retryAfterSeconds) });

/**
 * Plain text, for the routes that answer in plain text (downloads, unknown paths): a 503 with
 * Retry-After when the storage is busy, else a 500.
 */
export const sendPlainFailure: Answer = (_request, response, error) => {
  if (error instanceof StorageBusyError) {
    response.writeHead(503, { "content-type": "text/plain", ...retryAfter(error) });
    response.end(`${storageBusyMessage(error)}.\n`);
    return;
  }
  response.writeHead(500, { "content-type": "text/plain" });
  response.end(`${UNEXPECTED_FAILURE_MESSAGE}.\n`);
};
