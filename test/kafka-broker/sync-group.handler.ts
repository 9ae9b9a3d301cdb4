import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import type { SyncGroupResult } from './group-coordinator';

interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

/**
 * SyncGroup (key 14), version 3 only. Followers wait until the leader's SyncGroup carries the
 * assignment; everyone then receives their own share. Static membership is refused.
 */
export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResult>({
  apiKey: ApiKey.SyncGroup,
  apiName: 'SyncGroup',
  minVersion: 3,
  maxVersion: 3,
  decode: (reader) => ({
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: reader.nullableString(),
    assignments: reader.array((r) => ({ memberId: r.string(), assignment: r.bytes() })),
  }),
  handle: async (request, { broker }) => {
    if (request.groupInstanceId !== null) {
      throw new UnsupportedRequestError(`static membership (group_instance_id=${request.groupInstanceId}) is not supported`);
    }
    return respond(await broker.groups.syncGroup(request.groupId, request.generationId, request.memberId, request.assignments));
  },
  encode: (result, writer) => {
    writer.int32(0).int16(result.errorCode).bytes(result.assignment);
  },
});
