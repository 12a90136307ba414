import type { Notification, Pool } from "pg";

export interface NotificationListener {
  /** Resolves once LISTEN is active: anything notified afterwards reaches `onNotification`. */
  listening(): Promise<void>;
  close(): Promise<void>;
}

/** Gives the LISTEN connection back; destroying it, as a pooled connection must not keep listening. */
type Disconnect = () => void;

/**
 * Holds one pool connection in LISTEN on `channel`, shared by all of a store's subscribers. When that
 * connection breaks it is dropped and subscribers are woken: they read, then poll until the next
 * `listening()` reconnects.
 */
export const createNotificationListener = (
  pool: Pool,
  channel: string,
  onNotification: () => void,
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
      if (message.channel === channel) onNotification();
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
