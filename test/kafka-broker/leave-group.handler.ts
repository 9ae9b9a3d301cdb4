import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null }[];
}

type LeaveGroupResponse = readonly { memberId: string; errorCode: ErrorCodeValue }[];

/**
 * LeaveGroup (key 13), version 3 only (batched members, KIP-345). Each departing member triggers a
 * rebalance of the rest. Static membership is refused.
 */
export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: ApiKey.LeaveGroup,
  apiName: 'LeaveGroup',
  minVersion: 3,
  maxVersion: 3,
  decode: (reader) => ({
    groupId: reader.string(),
    members: reader.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() })),
  }),
  handle: (request, { broker }) => {
    const staticMember = request.members.find((m) => m.groupInstanceId !== null);
    if (staticMember) {
      throw new UnsupportedRequestError(`static membership (group_instance_id=${staticMember.groupInstanceId}) is not supported`);
    }
    return respond(request.members.map((m) => ({ memberId: m.memberId, errorCode: broker.groups.leaveGroup(request.groupId, m.memberId) })));
  },
  encode: (members, writer) => {
    writer
      .int32(0)
      .int16(ErrorCode.NONE)
      .array(members, (w, m) => w.string(m.memberId).string(null).int16(m.errorCode));
  },
});
