/**
 * pg's pool size, and a bounded wait for a connection: a busy database answers, it never hangs.
 * A module of its own (`@berth/adapter-postgres/pool-defaults`): a CLI shows these defaults without
 * loading pg and kysely.
 */
export const POOL_DEFAULTS = { max: 10, connectionTimeoutMillis: 5000 } as const;
