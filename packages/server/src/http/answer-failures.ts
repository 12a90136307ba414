/**
 * The last line of each front end: an unexpected failure (a bug, storage down) is logged and
 * answered in that front end's own shape, so a /v2 client never reads an AWS error. Once the
 * headers are out no answer can follow: the socket is destroyed so the client sees a cut body. A
 * client that went away mid-request (an aborted push, a killed docker) is logged at info: the
 * failure is the client's, and errors stay for what an operator must look at.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

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
      logger.error({ err: error, method: request.method, url: request.url }, "request failed");
      if (response.headersSent) {
        response.destroy();
        return;
      }
      answer(request, response);
    }
  };

/** A plain-text 500, for the routes that answer in plain text (downloads, unknown paths). */
export const sendPlainFailure: Answer = (_request, response) => {
  response.writeHead(500, { "content-type": "text/plain" });
  response.end(`${UNEXPECTED_FAILURE_MESSAGE}.\n`);
};
