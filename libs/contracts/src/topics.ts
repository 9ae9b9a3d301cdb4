import type { AccessIntegrationEventV1 } from './access/access-events.v1';
import type { IncidentIntegrationEventV1 } from './incidents/incident-events.v1';
import type { PostmortemIntegrationEventV1 } from './postmortems/postmortem-events.v1';
import type { StatusPageIntegrationEventV1 } from './status-pages/status-page-events.v1';

/**
 * The typed topic map: topic name -> the integration events it carries. Topics are named per owning
 * context and contract major version; the DLQ of topic `T` is `T.dlq`.
 */
export interface TopicMap {
  'fireline.incidents.v1': IncidentIntegrationEventV1;
  'fireline.postmortems.v1': PostmortemIntegrationEventV1;
  'fireline.status-pages.v1': StatusPageIntegrationEventV1;
  'fireline.access.v1': AccessIntegrationEventV1;
}

export type TopicName = keyof TopicMap;

export const TOPICS = {
  incidents: 'fireline.incidents.v1',
  postmortems: 'fireline.postmortems.v1',
  statusPages: 'fireline.status-pages.v1',
  access: 'fireline.access.v1',
} as const satisfies Record<string, TopicName>;

/** `fireline.incidents.v1` -> `fireline.incidents.v1.dlq`: where a consumer parks messages it gave up on. */
export function deadLetterTopicOf(topic: TopicName): `${TopicName}.dlq` {
  return `${topic}.dlq`;
}
