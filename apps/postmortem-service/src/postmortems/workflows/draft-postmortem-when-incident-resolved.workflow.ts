import { isPostmortemRequiredV1, type IncidentResolvedV1 } from '@fireline/contracts';
import { ConcurrencyError } from '@fireline/errors';
import { EventStore, type CommandMetadata, type NewEvent } from '@fireline/event-store';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { PostmortemServiceConfig } from '../../config/postmortem-service.config';
import { loadPostmortem } from '../application/postmortem-stream';
import { POSTMORTEM_EVENT_STORE, POSTMORTEM_SERVICE_CONFIG } from '../application/postmortem.tokens';
import type { PostmortemCommand } from '../domain/postmortem.commands';
import { postmortemDecider } from '../domain/postmortem.decider';
import { POSTMORTEM_STREAM_TYPE, postmortemStreamId } from '../domain/postmortem.events';
import { IncidentTimelineRepository } from './incident-timeline.repository';
import { buildPostmortemDraft } from './postmortem-draft.builder';
import { nameBasedUuid } from '@fireline/event-store';
import { postmortemIdForIncident } from './postmortem-identity';

export type DraftPostmortemOutcome = 'drafted' | 'timeline_extended' | 'unchanged' | 'published_untouched' | 'not_required';

type AttemptOutcome = DraftPostmortemOutcome | 'lost_draft_race';

/** Who the workflow's commands are attributed to. */
export const POSTMORTEM_WORKFLOW_ACTOR = 'system:postmortem-service';

/**
 * draft-postmortem-when-incident-resolved: runs inside the consumer's inbox transaction, after the
 * resolution's timeline entry is recorded.
 *
 * - No postmortem yet: `DraftPostmortem` on `postmortem-<id>` (id derived from the incident id), appended
 *   with expected version 0 on the same transaction. Losing that race (`ConcurrencyError`) means another
 *   delivery (e.g. a second resolution) drafted it: the append is undone to a savepoint and the entries
 *   the winner's draft lacks are appended to it instead.
 * - Resolved again after a reopen: the timeline entries the draft lacks are appended to it
 *   (`ExtendPostmortemTimeline`). A published postmortem is final and left untouched.
 *
 * - Not required (`postmortem.required === false`, decided by incident-service's `POSTMORTEM_REQUIRED_FOR`
 *   at resolution; absent = required): nothing is drafted or extended (incident-service closes the
 *   incident); the resolution stays on the recorded timeline. A postmortem drafted for an earlier
 *   resolution of the same incident is still extended as above.
 *
 * Event ids derive from the resolution's event id, and `now` is the resolution time, so the effect of
 * one `IncidentResolved` is the same however often it is handled.
 */
@Injectable()
export class DraftPostmortemWhenIncidentResolvedWorkflow {
  private readonly logger = new Logger(DraftPostmortemWhenIncidentResolvedWorkflow.name);

  constructor(
    @Inject(POSTMORTEM_EVENT_STORE) private readonly store: EventStore,
    private readonly timeline: IncidentTimelineRepository,
    @Inject(POSTMORTEM_SERVICE_CONFIG) private readonly config: PostmortemServiceConfig,
  ) {}

  async handle(resolved: IncidentResolvedV1, tx: PoolClient): Promise<DraftPostmortemOutcome> {
    const first = await this.attempt(resolved, tx);
    if (first !== 'lost_draft_race') return first;
    // The winner has committed (that is how we lost): this read sees its draft.
    const second = await this.attempt(resolved, tx);
    return second === 'lost_draft_race' ? 'unchanged' : second;
  }

  private async attempt(resolved: IncidentResolvedV1, tx: PoolClient): Promise<AttemptOutcome> {
    const incidentId = resolved.data.incidentId;
    const postmortemId = postmortemIdForIncident(incidentId);
    const metadata: CommandMetadata = {
      now: new Date(resolved.occurredAt),
      actor: POSTMORTEM_WORKFLOW_ACTOR,
      correlationId: resolved.correlationId,
      causationId: resolved.eventId,
    };
    const timeline = await this.timeline.timelineOf(tx, incidentId);
    const { state, version } = await loadPostmortem(this.store, postmortemId, tx);

    let command: PostmortemCommand;
    switch (state.status) {
      case 'none':
        if (!isPostmortemRequiredV1(resolved)) {
          this.logger.log(`Incident ${incidentId} resolved; no postmortem drafted: ${resolved.data.postmortem?.reason ?? ''}`);
          return 'not_required';
        }
        command = {
          type: 'DraftPostmortem',
          data: buildPostmortemDraft({ postmortemId, resolved, timeline, dueHours: this.config.postmortemDueHours }),
          metadata,
        };
        break;
      case 'draft':
      case 'in_review':
        command = { type: 'ExtendPostmortemTimeline', data: { postmortemId, entries: timeline }, metadata };
        break;
      case 'published':
        this.logger.log(`Incident ${incidentId} resolved again; postmortem ${postmortemId} is published and stays as it is`);
        return 'published_untouched';
      default: {
        const _never: never = state;
        return _never;
      }
    }

    const decided = postmortemDecider.decide(command, state);
    if (decided.length === 0) return 'unchanged';
    const events: NewEvent[] = decided.map((event, index) => ({
      type: event.type,
      data: event.data,
      eventId: nameBasedUuid(`${resolved.eventId}:${command.type}:${index}`),
      metadata: {
        correlationId: metadata.correlationId,
        causationId: metadata.causationId,
        actor: metadata.actor,
        occurredAt: metadata.now.toISOString(),
      },
    }));

    if (command.type !== 'DraftPostmortem') {
      // A conflict here (someone edited the draft meanwhile) propagates: the consumer retries the whole transaction.
      await this.store.appendToStream(postmortemStreamId(postmortemId), events, { streamType: POSTMORTEM_STREAM_TYPE, expectedVersion: version, client: tx });
      return 'timeline_extended';
    }
    // The savepoint keeps the timeline entry (and the inbox row) if a concurrent draft wins the unique index.
    await tx.query('SAVEPOINT draft_postmortem');
    try {
      await this.store.appendToStream(postmortemStreamId(postmortemId), events, { streamType: POSTMORTEM_STREAM_TYPE, expectedVersion: 0, client: tx });
      await tx.query('RELEASE SAVEPOINT draft_postmortem');
      return 'drafted';
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT draft_postmortem');
      return 'lost_draft_race';
    }
  }
}
