import { randomUUID } from "node:crypto";
import type { EventStore, EventToAppend, RecordedEvent } from "@berth/engine";

/** Stream names private to one test, so cases can share a store with earlier tests. */
export interface TestStreams {
  name(label: string): string;
  owns(event: RecordedEvent): boolean;
}

export const testStreams = (): TestStreams => {
  const prefix = `contract-${randomUUID()}/`;
  return {
    name: (label) => `${prefix}${label}`,
    owns: (event) => event.streamName.startsWith(prefix),
  };
};

/** A position no later than anything appended from now on: appends a marker event and returns its position. */
export const markLogHead = async (store: EventStore): Promise<bigint> => {
  const result = await store.appendToStream(`contract-marker-${randomUUID()}`, [
    { type: "Marker", data: {} },
  ]);
  return result.lastGlobalPosition;
};

/** The log after `after` that `owns` selects, paging through readAll until an empty batch. */
export const readLogAfter = async (
  store: EventStore,
  after: bigint,
  owns: (event: RecordedEvent) => boolean,
): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const batch = await store.readAll({ after: position });
    const last = batch.at(-1);
    if (last === undefined) return events;
    for (const event of batch) if (owns(event)) events.push(event);
    position = last.globalPosition;
  }
};

/** `count` events of type `type` whose data tells them apart. */
export const someEvents = (count: number, type = "Something", tag = "event"): EventToAppend[] => {
  return Array.from({ length: count }, (_, index) => ({ type, data: { tag, index } }));
};

/** What identifies an event apart from where the store put it. */
export const content = (event: RecordedEvent): { streamName: string; type: string; data: unknown } => {
  return { streamName: event.streamName, type: event.type, data: event.data };
};
