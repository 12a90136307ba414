const errorCode = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined;

/** Whether a node:fs error says the file is not there. */
export const isMissingFile = (error: unknown): boolean => errorCode(error) === "ENOENT";

/** Whether a node:fs error says the file already exists (an exclusive create lost). */
export const isExistingFile = (error: unknown): boolean => errorCode(error) === "EEXIST";

/** For `.catch`: a file that is already gone is what the caller wanted. */
export const ignoreMissingFile = (error: unknown): void => {
  if (!isMissingFile(error)) throw error;
};
