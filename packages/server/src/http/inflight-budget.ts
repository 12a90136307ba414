/**
 * A bound on the bytes of request bodies held in memory at once, across all requests. A request
 * that buffers its body reserves what it may hold before reading a byte, and gives it back when its
 * exchange ends; past the bound it is refused at once (the client retries), so a crowd of large
 * bodies cannot grow the process. Streamed bodies (OCI blob chunks) hold only a stream's buffers and
 * do not reserve.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The default bound: room for eighteen of the largest ECR requests (a 20 MiB part in base64). */
export const DEFAULT_MAX_INFLIGHT_BYTES = 512 * 1024 * 1024;

/** Seconds a refused client is asked to wait before trying again. */
export const INFLIGHT_RETRY_AFTER_SECONDS = 1;

export interface InflightBudget {
  readonly limit: number;
  /** Bytes reserved now. */
  readonly inUse: () => number;
  /** Reserves `bytes` until the exchange of `response` ends; false when that would pass the bound. */
  readonly reserveFor: (response: ServerResponse, bytes: number) => boolean;
}

export const createInflightBudget = (limit: number = DEFAULT_MAX_INFLIGHT_BYTES): InflightBudget => {
  let inUse = 0;
  return {
    limit,
    inUse: () => inUse,
    reserveFor: (response, bytes) => {
      if (inUse + bytes > limit) return false;
      inUse += bytes;
      // "close" ends every exchange once: answered, failed, or cut by the client or a timeout.
      response.once("close", () => {
        inUse -= bytes;
      });
      return true;
    },
  };
};

/**
 * What a body may hold in memory: its declared Content-Length, or without one (chunked) the most
 * it is allowed to be. A declared length above `limit` is refused by the reader, not here.
 */
export const bodyReservation = (request: IncomingMessage, limit: number): number => {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  return Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
};

/** The message of a refusal, the same for both front ends. */
export const inflightRefusal = (budget: InflightBudget) =>
  `The server holds its limit of ${budget.limit} bytes of request bodies in flight; retry in ${INFLIGHT_RETRY_AFTER_SECONDS} s`;
