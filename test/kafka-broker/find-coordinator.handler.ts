import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode } from './error-codes';

interface FindCoordinatorRequest {
  readonly key: string;
  readonly keyType: number;
}

interface FindCoordinatorResponse {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

const GROUP_KEY_TYPE = 0;

/**
 * FindCoordinator (key 10), versions 1-2 (identical on the wire). This node coordinates every group;
 * transaction coordinators (key_type 1) are refused because transactions are not implemented.
 */
export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: ApiKey.FindCoordinator,
  apiName: 'FindCoordinator',
  minVersion: 1,
  maxVersion: 2,
  decode: (reader) => ({ key: reader.string(), keyType: reader.int8() }),
  handle: (request, { broker }) => {
    if (request.keyType !== GROUP_KEY_TYPE) {
      throw new UnsupportedRequestError(`FindCoordinator key_type ${request.keyType} (transactions) is not supported`);
    }
    return respond({ nodeId: broker.nodeId, ...broker.advertisedAddress() });
  },
  encode: (response, writer) => {
    writer.int32(0).int16(ErrorCode.NONE).string(null).int32(response.nodeId).string(response.host).int32(response.port);
  },
});
