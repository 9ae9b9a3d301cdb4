import type { EventStore, RecordedEvent } from '@fireline/event-store';
import { foldEvents } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { postmortemDecider } from '../domain/postmortem.decider';
import { postmortemStreamId, type PostmortemEvent } from '../domain/postmortem.events';
import type { PostmortemState } from '../domain/postmortem.state';

/** A stored postmortem event as the decider sees it (the store keeps `type` and `data` as written). */
export function toPostmortemEvent(recorded: RecordedEvent): PostmortemEvent {
  return { type: recorded.type, data: recorded.data } as PostmortemEvent;
}

/** The postmortem replayed from its stream, and the stream version (0 when it does not exist). */
export async function loadPostmortem(
  store: EventStore,
  postmortemId: string,
  client?: PoolClient,
): Promise<{ state: PostmortemState; version: number }> {
  const { events, currentVersion } = await store.readStream(postmortemStreamId(postmortemId), client ? { client } : {});
  return { state: foldEvents(postmortemDecider, events.map(toPostmortemEvent)), version: currentVersion };
}
