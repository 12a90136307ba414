/** Whether a driver error is Postgres' unique_violation (SQLSTATE 23505); pg and PGlite both set `code`. */
export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "23505";
