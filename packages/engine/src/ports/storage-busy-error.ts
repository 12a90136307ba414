/**
 * A store could not take the request in time: every connection it may open is busy (a pool's
 * acquire timeout). Any port method may throw it. Nothing was done; the same request may be retried
 * after `retryAfterSeconds`. Front ends answer it as "unavailable, retry", never as a bug.
 */
export class StorageBusyError extends Error {
  override readonly name = "StorageBusyError";
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
