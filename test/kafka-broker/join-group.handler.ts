import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import type { JoinGroupInput, JoinGroupResult } from './group-coordinator';

/**
 * JoinGroup (key 11), version 5 only. As in Kafka for v4+, a member joining with an empty member_id gets
 * MEMBER_ID_REQUIRED and a generated id, and joins for real with it. The response waits until the
 * rebalance completes (see GroupCoordinator). Static membership (group_instance_id) is refused.
 */
export const joinGroupHandler = defineHandler<JoinGroupInput & { groupInstanceId: string | null }, JoinGroupResult>({
  apiKey: ApiKey.JoinGroup,
  apiName: 'JoinGroup',
  minVersion: 5,
  maxVersion: 5,
  decode: (reader) => ({
    groupId: reader.string(),
    sessionTimeoutMs: reader.int32(),
    rebalanceTimeoutMs: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: reader.nullableString(),
    protocolType: reader.string(),
    protocols: reader.array((r) => ({ name: r.string(), metadata: r.bytes() })),
    clientId: null,
  }),
  handle: async (request, { broker, clientId }) => {
    if (request.groupInstanceId !== null) {
      throw new UnsupportedRequestError(`static membership (group_instance_id=${request.groupInstanceId}) is not supported`);
    }
    return respond(await broker.groups.joinGroup({ ...request, clientId }));
  },
  encode: (result, writer) => {
    writer
      .int32(0)
      .int16(result.errorCode)
      .int32(result.generationId)
      .string(result.protocolName)
      .string(result.leaderId)
      .string(result.memberId)
      .array(result.members, (w, m) => w.string(m.memberId).string(null).bytes(m.metadata));
  },
});
