/** Whether a node:fs error says the file is not there. */
export function isMissingFile(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}

/** Whether a node:fs error says the file already exists (an exclusive create lost). */
export function isExistingFile(error: unknown): boolean {
  return errorCode(error) === "EEXIST";
}

/** For `.catch`: a file that is already gone is what the caller wanted. */
export function ignoreMissingFile(error: unknown): void {
  if (!isMissingFile(error)) throw error;
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
}
