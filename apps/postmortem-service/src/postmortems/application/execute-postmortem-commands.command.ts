import { EventStore, handleCommand } from '@fireline/event-store';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PostmortemCommand } from '../domain/postmortem.commands';
import { postmortemBatchDecider } from '../domain/postmortem.decider';
import { postmortemNotFound } from '../domain/postmortem.errors';
import { POSTMORTEM_STREAM_TYPE, postmortemStreamId } from '../domain/postmortem.events';
import type { ExistingPostmortemState } from '../domain/postmortem.state';
import { PostmortemSubscriptions } from './postmortem-subscriptions';
import { POSTMORTEM_EVENT_STORE } from './postmortem.tokens';

/** The postmortem after a command, and its stream version (the next ETag). */
export interface PostmortemCommandResult {
  state: ExistingPostmortemState;
  version: number;
}

/**
 * The one write path of the HTTP API: decides `commands` in order against one postmortem stream and
 * appends all resulting events at once (all or nothing). With `expectedVersion` (from `If-Match`) a
 * single attempt that fails with `ConcurrencyError` on mismatch; without, conflicts are retried.
 */
export class ExecutePostmortemCommands extends Command<PostmortemCommandResult> {
  constructor(
    readonly postmortemId: string,
    readonly commands: readonly PostmortemCommand[],
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/** Runs the batch through the event store's `handleCommand` and wakes the subscriptions after an append. */
@CommandHandler(ExecutePostmortemCommands)
export class ExecutePostmortemCommandsHandler implements ICommandHandler<ExecutePostmortemCommands> {
  constructor(
    @Inject(POSTMORTEM_EVENT_STORE) private readonly store: EventStore,
    private readonly subscriptions: PostmortemSubscriptions,
  ) {}

  async execute({ postmortemId, commands, expectedVersion }: ExecutePostmortemCommands): Promise<PostmortemCommandResult> {
    const [first] = commands;
    if (!first) throw new RangeError('ExecutePostmortemCommands needs at least one command');
    const result = await handleCommand(this.store, postmortemBatchDecider, commands, {
      streamId: postmortemStreamId(postmortemId),
      streamType: POSTMORTEM_STREAM_TYPE,
      metadata: first.metadata,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    if (result.newEvents.length > 0) this.subscriptions.notify();
    // Unreachable through the decider (it throws NOT_FOUND first); keeps the result type honest.
    if (result.state.status === 'none') throw postmortemNotFound(postmortemId);
    return { state: result.state, version: result.nextExpectedVersion };
  }
}
