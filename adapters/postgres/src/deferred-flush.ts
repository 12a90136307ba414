import { type RawBuilder, sql } from "kysely";

/**
 * A select-list item that lets the statement's autocommit transaction commit without waiting for
 * its WAL to reach disk (synchronous_commit off, for this transaction only), or nothing.
 *
 * Safe only where a later synchronous commit on the same server always comes before anyone relies
 * on the write: WAL is flushed in order, so that commit's flush covers this one. A crash before it
 * loses both, never the later one alone. The blob store defers the rows of a streamed append
 * always (its adoption comes later), and its other upload writes only when its owner says the
 * event log shares its database (see PostgresBlobStoreOptions.flushWithEventLog).
 */
export const deferredFlush = (defer: boolean): RawBuilder<unknown> =>
  defer ? sql`, set_config('synchronous_commit', 'off', true) as deferred_flush` : sql``;
