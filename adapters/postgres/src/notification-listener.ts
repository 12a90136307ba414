import type { Notification, Pool } from "pg";

export interface NotificationListener {
  /** Resolves once LISTEN is active: anything notified afterwards reaches `onNotification`. */
  listening(): Promise<void>;
  close(): Promise<void>;
}

/** Gives the LISTEN connection back; destroying it, as a pooled connection must not keep listening. */
type Disconnect = () => void;

/**
 * The event types a notification names: `berth_append` sends them as a JSON array of strings
 * (migration 0010). Anything else (older bodies send '') names none: every subscriber is woken.
 */
const notifiedTypes = (payload: string | undefined): ReadonlyArray<string> | undefined => {
  try {
    const types: unknown = JSON.parse(payload ?? "");
    return Array.isArray(types) && types.every((type) => typeof type === "string") ? types : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Holds one pool connection in LISTEN on `channel`, shared by all of a store's subscribers, and hands
 * on the types each notification names. When that connection breaks it is dropped and subscribers
 * are woken: they read, then poll until the next `listening()` reconnects.
 */
export const createNotificationListener = (
  pool: Pool,
  channel: string,
  onNotification: (types?: ReadonlyArray<string>) => void,
): NotificationListener => {
  let connection: Promise<Disconnect> | undefined;
  let closed = false;

  const connect = async (): Promise<Disconnect> => {
    const client = await pool.connect();
    let connected = true;
    const disconnect = (reason: Error | true) => {
      if (!connected) return;
      connected = false;
      client.removeListener("notification", onMessage);
      client.removeListener("error", onError);
      client.release(reason);
    };
    const onMessage = (message: Notification) => {
      if (message.channel === channel) onNotification(notifiedTypes(message.payload));
    };
    const onError = (error: Error) => {
      disconnect(error);
      connection = undefined;
      onNotification();
    };
    client.on("notification", onMessage);
    client.on("error", onError);
    try {
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      disconnect(true);
      throw error;
    }
    return () => disconnect(true);
  };

  return {
    async listening() {
      if (closed) return;
      connection ??= connect().catch((error: unknown) => {
        connection = undefined;
        throw error;
      });
      await connection;
    },
    async close() {
      closed = true;
      const disconnect = await connection?.catch(() => undefined);
      connection = undefined;
      disconnect?.();
    },
  };
};
