import type { BrokerState } from './broker-state';
import { ProtocolReader } from './protocol-reader';
import { ProtocolWriter } from './protocol-writer';

/**
 * Thrown by a handler for a request that is well-formed but asks for something this test broker does
 * not implement (transactions, static membership, replica fetches...). The connection logs it, records
 * it on the broker and closes the socket: a refusal the client cannot mistake for a real answer.
 */
export class UnsupportedRequestError extends Error {
  override readonly name = 'UnsupportedRequestError';
}

/** Per-request facts a handler may need besides its decoded body. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly clientHost: string;
  readonly broker: BrokerState;
  /** Aborted when the connection closes or the broker stops: long polls stop waiting. */
  readonly closed: AbortSignal;
}

/**
 * A handler's answer: a body to send, nothing at all (Produce with acks=0), or closing the connection
 * (Produce with acks=0 that failed: the only way Kafka can tell such a client).
 */
export type HandlerOutcome<Res> =
  | { readonly kind: 'respond'; readonly response: Res }
  | { readonly kind: 'no-response' }
  | { readonly kind: 'close-connection'; readonly reason: string };

/** What the connection does after a request was processed. */
export type ProcessResult =
  | { readonly kind: 'respond'; readonly body: Buffer }
  | { readonly kind: 'no-response' }
  | { readonly kind: 'close-connection'; readonly reason: string };

/** One Kafka API: how to decode a request body, answer it and encode the response body. */
export interface ApiHandlerDefinition<Req, Res> {
  readonly apiKey: number;
  readonly apiName: string;
  /** Every version in [minVersion, maxVersion] is implemented, and ApiVersions advertises exactly this. */
  readonly minVersion: number;
  readonly maxVersion: number;
  decode(reader: ProtocolReader, apiVersion: number): Req;
  handle(request: Req, context: RequestContext): Promise<HandlerOutcome<Res>> | HandlerOutcome<Res>;
  encode(response: Res, writer: ProtocolWriter, apiVersion: number): void;
}

/** The type-erased form the dispatcher holds. */
export interface ApiHandler {
  readonly apiKey: number;
  readonly apiName: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Decodes the whole body (trailing bytes are malformed), handles it, and encodes the answer. */
  process(body: Buffer, context: RequestContext): Promise<ProcessResult>;
}

export function defineHandler<Req, Res>(definition: ApiHandlerDefinition<Req, Res>): ApiHandler {
  return {
    apiKey: definition.apiKey,
    apiName: definition.apiName,
    minVersion: definition.minVersion,
    maxVersion: definition.maxVersion,
    async process(body, context) {
      const reader = new ProtocolReader(body);
      const request = definition.decode(reader, context.apiVersion);
      reader.assertFullyConsumed();
      const outcome = await definition.handle(request, context);
      switch (outcome.kind) {
        case 'respond': {
          const writer = new ProtocolWriter();
          definition.encode(outcome.response, writer, context.apiVersion);
          return { kind: 'respond', body: writer.toBuffer() };
        }
        case 'no-response':
        case 'close-connection':
          return outcome;
        default: {
          const _never: never = outcome;
          return _never;
        }
      }
    },
  };
}

export const respond = <Res>(response: Res): HandlerOutcome<Res> => ({ kind: 'respond', response });
