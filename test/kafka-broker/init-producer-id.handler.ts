import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode } from './error-codes';

interface InitProducerIdRequest {
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
}

/**
 * InitProducerId (key 22), versions 0-1 (identical on the wire). Hands idempotent producers a fresh
 * producer id with epoch 0. A transactional_id is refused: transactions are not implemented.
 */
export const initProducerIdHandler = defineHandler<InitProducerIdRequest, { producerId: bigint; epoch: number }>({
  apiKey: ApiKey.InitProducerId,
  apiName: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  decode: (reader) => ({ transactionalId: reader.nullableString(), transactionTimeoutMs: reader.int32() }),
  handle: (request, { broker }) => {
    if (request.transactionalId !== null) {
      throw new UnsupportedRequestError(`InitProducerId for transactional_id ${request.transactionalId} is not supported`);
    }
    return respond(broker.producers.allocate());
  },
  encode: (response, writer) => {
    writer.int32(0).int16(ErrorCode.NONE).int64(response.producerId).int16(response.epoch);
  },
});
