import { EventStore } from '@fireline/event-store';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { postmortemNotFound } from '../domain/postmortem.errors';
import type { PostmortemCommandResult } from './execute-postmortem-commands.command';
import { loadPostmortem } from './postmortem-stream';
import { POSTMORTEM_EVENT_STORE } from './postmortem.tokens';

/** One postmortem replayed from its stream (always current, unlike the read models). */
export class GetPostmortem extends Query<PostmortemCommandResult> {
  constructor(readonly postmortemId: string) {
    super();
  }
}

/** Replays the stream; `POSTMORTEM.NOT_FOUND` when it is empty. */
@QueryHandler(GetPostmortem)
export class GetPostmortemHandler implements IQueryHandler<GetPostmortem> {
  constructor(@Inject(POSTMORTEM_EVENT_STORE) private readonly store: EventStore) {}

  async execute({ postmortemId }: GetPostmortem): Promise<PostmortemCommandResult> {
    const { state, version } = await loadPostmortem(this.store, postmortemId);
    if (state.status === 'none') throw postmortemNotFound(postmortemId);
    return { state, version };
  }
}
