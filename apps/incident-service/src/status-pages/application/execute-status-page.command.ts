import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, handleCommand, type RecordedEvent } from '@fireline/event-store';
import { INCIDENT_EVENT_STORE } from '../../incident-service.tokens';
import type { StatusPageCommand } from '../domain/status-page.commands';
import { statusPageDecider } from '../domain/status-page.decider';
import type { StatusPage } from '../domain/status-page.state';
import { StatusPageSubscriptions } from '../projections/status-page-subscriptions';
import { STATUS_PAGE_STREAM_TYPE, statusPageStreamId } from '../status-page-stream';
import { StatusPageWorkflows } from '../workflows/status-page-workflows';

/** The page after a command, its stream version (the `ETag`) and the events the command appended. */
export interface StatusPageCommandResult {
  page: StatusPage;
  version: number;
  newEvents: RecordedEvent[];
}

/**
 * Runs any status-page command through the shared path (`handleCommand`: load, decide, append with the
 * expected version). `expectedVersion` from `If-Match` (412 on mismatch); otherwise conflicts are retried.
 */
export class ExecuteStatusPageCommand extends Command<StatusPageCommandResult> {
  constructor(
    readonly command: StatusPageCommand,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(ExecuteStatusPageCommand)
export class ExecuteStatusPageCommandHandler implements ICommandHandler<ExecuteStatusPageCommand, StatusPageCommandResult> {
  constructor(
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly subscriptions: StatusPageSubscriptions,
    private readonly workflows: StatusPageWorkflows,
  ) {}

  async execute({ command, expectedVersion }: ExecuteStatusPageCommand): Promise<StatusPageCommandResult> {
    const result = await handleCommand(this.store, statusPageDecider, command, {
      streamId: statusPageStreamId(command.data.pageId),
      streamType: STATUS_PAGE_STREAM_TYPE,
      metadata: command.metadata,
      expectedVersion,
    });
    if (result.newEvents.length > 0) this.subscriptions.notify();
    if (result.newEvents.some((event) => event.type === 'IncidentPublished' || event.type === 'IncidentUnpublished')) this.workflows.notify();
    if (result.state.status === 'none') throw new Error('Status page state is empty after a successful command');
    return { page: result.state, version: result.nextExpectedVersion, newEvents: result.newEvents };
  }
}
