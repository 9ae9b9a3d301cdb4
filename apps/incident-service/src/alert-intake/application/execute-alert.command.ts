import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, handleCommand, type RecordedEvent } from '@fireline/event-store';
import { INCIDENT_EVENT_STORE } from '../../incident-service.tokens';
import { ALERT_STREAM_TYPE, alertStreamId } from '../domain/alert-stream';
import type { AlertCommand } from '../domain/alert.commands';
import { alertDecider } from '../domain/alert.decider';
import { isAlertOpen, type AlertState } from '../domain/alert.state';
import { AlertWorkflows } from '../workflows/alert-workflows';
import { AlertDedupRepository } from '../dedup/alert-dedup.repository';

/** The alert after a command, and the events the command appended (on a retry: appended the first time). */
export interface AlertCommandResult {
  streamId: string;
  alert: AlertState;
  newEvents: RecordedEvent[];
}

/**
 * Runs an alert command through the shared path (`handleCommand`: load, decide, append with the
 * expected version). Concurrent deliveries for one alert meet at its stream's version guard; with
 * `metadata.commandId` (the intake row id) a reprocessed delivery appends nothing new. After an append
 * the stream's new state is mirrored in `alert_dedup` (`AlertDedupRepository.record`), which lets the
 * next identical trigger be absorbed without touching the stream.
 */
export class ExecuteAlertCommand extends Command<AlertCommandResult> {
  constructor(readonly command: AlertCommand) {
    super();
  }
}

/** Alert storms put many deliveries on one stream at once: more attempts than the default 5. */
const ALERT_COMMAND_ATTEMPTS = 12;

@CommandHandler(ExecuteAlertCommand)
export class ExecuteAlertCommandHandler implements ICommandHandler<ExecuteAlertCommand, AlertCommandResult> {
  constructor(
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly workflows: AlertWorkflows,
    private readonly dedup: AlertDedupRepository,
  ) {}

  async execute({ command }: ExecuteAlertCommand): Promise<AlertCommandResult> {
    const streamId = alertStreamId(command.data.integrationId, command.data.dedupKey);
    const result = await handleCommand(this.store, alertDecider, command, {
      streamId,
      streamType: ALERT_STREAM_TYPE,
      metadata: command.metadata,
      maxAttempts: ALERT_COMMAND_ATTEMPTS,
    });
    if (result.newEvents.length > 0) {
      const alert = result.state;
      if (alert.status !== 'none') {
        await this.dedup.record({
          streamId,
          integrationId: command.data.integrationId,
          dedupKey: command.data.dedupKey,
          incarnation: alert.incarnation,
          open: isAlertOpen(alert),
          streamVersion: result.nextExpectedVersion,
          triggerCount: alert.triggerCount,
          severity: alert.severity,
          at: command.metadata.now,
        });
      }
      this.workflows.notify();
    }
    return { streamId, alert: result.state, newEvents: result.newEvents };
  }
}
