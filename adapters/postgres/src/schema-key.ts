/** First key of Berth's two-key advisory locks ("Brth" in ASCII), so they stay clear of other users. */
export const ADVISORY_LOCK_NAMESPACE = 0x42727468;

/**
 * A stable 32-bit key for a schema (FNV-1a over its UTF-8 bytes, as a signed int4), naming the
 * schema's append lock and notification channel. Every process must compute the same key, so never
 * change this function. Two schemas that collide only share a lock or wake each other: still correct.
 */
export const schemaKey = (schema: string): number => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(schema, "utf8")) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash | 0;
};

/** The LISTEN/NOTIFY channel that announces appends to a schema's event log (short: a channel is a name). */
export const eventsChannel = (schema: string): string =>
  `berth_events_${(schemaKey(schema) >>> 0).toString(16)}`;
