import type pg from "pg";

/**
 * SQL texts sent as named prepared statements, so that PostgreSQL parses and plans each once per
 * connection instead of on every call (the catch-up read and the append are most of what a
 * command sends). Only fixed texts are named, a few per schema, so a connection holds a handful.
 */
const names = new Map<string, string>();

/** Sends `text` by name from now on (on pools whose clients go through `namingClient`). */
export const nameStatement = (text: string): void => {
  if (!names.has(text)) names.set(text, `berth_${names.size + 1}`);
};

const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();

/** The client with `query(text, values)` sending a named text by its name; all else as it was. */
export const namingClient = (client: pg.PoolClient): pg.PoolClient => {
  const known = wrapped.get(client);
  if (known !== undefined) return known;
  const query = (text: unknown, values?: unknown) => {
    const name = typeof text === "string" ? names.get(text) : undefined;
    return name === undefined
      ? (client.query as (text: unknown, values?: unknown) => unknown)(text, values)
      : client.query({ name, text: text as string, values: values as unknown[] });
  };
  const proxy = new Proxy(client, {
    get(target, property) {
      if (property === "query") return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  wrapped.set(client, proxy);
  return proxy;
};
