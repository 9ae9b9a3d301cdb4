import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, handleCommand, type RecordedEvent } from '@fireline/event-store';
import { createIncidentDecider } from '../domain/incident.decider';
import { DEFAULT_POSTMORTEM_POLICY } from '../domain/postmortem-policy';
import type { IncidentServiceConfig } from '../../config/incident-service.config';
import type { IncidentCommand } from '../domain/incident.commands';
import type { Incident } from '../domain/incident.state';
import { INCIDENT_STREAM_TYPE, incidentStreamId } from './incident-stream';
import { INCIDENT_EVENT_STORE } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG, IncidentSubscriptions } from '../../incident-service.subscriptions';
import { IncidentWorkflows } from '../workflows/incident-workflows';

/** The incident after a command, with its stream version (the `ETag`) and the events it appended. */
export interface IncidentCommandResult {
  incident: Incident;
  version: number;
  newEvents: RecordedEvent[];
}

/**
 * Runs any incident command through the one shared path: load the stream, decide, append with the
 * expected version. `expectedVersion` comes from `If-Match` (one attempt, `ConcurrencyError` -> 412);
 * without it, conflicts are retried a bounded number of times, then reported as 409.
 */
export class ExecuteIncidentCommand extends Command<IncidentCommandResult> {
  constructor(
    readonly command: IncidentCommand,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/**
 * Handles `ExecuteIncidentCommand` with `handleCommand` and wakes the subscriptions after an append. The
 * decider carries the configured postmortem policy, so every path that resolves (HTTP resolve, the alert
 * workflows) records the same `postmortem` decision on `IncidentResolved`.
 */
@CommandHandler(ExecuteIncidentCommand)
export class ExecuteIncidentCommandHandler implements ICommandHandler<ExecuteIncidentCommand, IncidentCommandResult> {
  private readonly decider: ReturnType<typeof createIncidentDecider>;

  constructor(
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly subscriptions: IncidentSubscriptions,
    private readonly workflows: IncidentWorkflows,
    @Inject(INCIDENT_SERVICE_CONFIG) config: Pick<IncidentServiceConfig, 'postmortemPolicy'>,
  ) {
    this.decider = createIncidentDecider({ postmortemPolicy: config.postmortemPolicy ?? DEFAULT_POSTMORTEM_POLICY });
  }

  async execute({ command, expectedVersion }: ExecuteIncidentCommand): Promise<IncidentCommandResult> {
    const result = await handleCommand(this.store, this.decider, command, {
      streamId: incidentStreamId(command.data.incidentId),
      streamType: INCIDENT_STREAM_TYPE,
      metadata: command.metadata,
      expectedVersion,
    });
    if (result.newEvents.length > 0) {
      this.subscriptions.notify();
      if (result.newEvents.some((event) => event.type === 'IncidentResolved')) this.workflows.closeWhenPostmortemNotRequired.notify();
    }
    // Every command but Declare is refused on a missing incident, and Declare creates it.
    if (result.state.status === 'none') throw new Error('Incident state is empty after a successful command');
    return { incident: result.state, version: result.nextExpectedVersion, newEvents: result.newEvents };
  }
}
