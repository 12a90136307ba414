/**
 * Text the EventStore port does not take (PostgreSQL's jsonb refuses both): NUL, or a surrogate
 * without its pair. The engine refuses such events so that every adapter answers alike.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isUnstorableText = (text: string): boolean =>
  text.includes("\u0000") || LONE_SURROGATE.test(text);

/** Whether any string (or object key) inside a JSON value is unstorable. */
export const holdsUnstorableText = (value: unknown): boolean => {
  if (typeof value === "string") return isUnstorableText(value);
  if (Array.isArray(value)) return value.some(holdsUnstorableText);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, item]) => isUnstorableText(key) || holdsUnstorableText(item));
};
