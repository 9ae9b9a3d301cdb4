import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import type { ErrorCodeValue } from './error-codes';

interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

/**
 * Heartbeat (key 12), version 3 only. Keeps the member's session alive and tells it
 * REBALANCE_IN_PROGRESS when it must rejoin. Static membership is refused.
 */
export const heartbeatHandler = defineHandler<HeartbeatRequest, ErrorCodeValue>({
  apiKey: ApiKey.Heartbeat,
  apiName: 'Heartbeat',
  minVersion: 3,
  maxVersion: 3,
  decode: (reader) => ({
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: reader.nullableString(),
  }),
  handle: (request, { broker }) => {
    if (request.groupInstanceId !== null) {
      throw new UnsupportedRequestError(`static membership (group_instance_id=${request.groupInstanceId}) is not supported`);
    }
    return respond(broker.groups.heartbeat(request.groupId, request.generationId, request.memberId));
  },
  encode: (errorCode, writer) => {
    writer.int32(0).int16(errorCode);
  },
});
