import { ErrorCode, type ErrorCodeValue } from './error-codes';

const SEQUENCE_LIMIT = 2 ** 31;
/** Kafka keeps the metadata of the last five batches per producer and partition for duplicate detection. */
const RETAINED_BATCHES = 5;

interface ProducedBatch {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
}

interface ProducerState {
  readonly producerId: bigint;
  readonly epoch: number;
  /** Per "topic:partition", newest last. */
  readonly batches: Map<string, ProducedBatch[]>;
}

/** What an idempotent append should do, decided before the log is touched. */
export type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly baseOffset: number }
  | { readonly kind: 'reject'; readonly errorCode: ErrorCodeValue };

/**
 * Idempotent-producer state (KIP-98): producer ids handed out by InitProducerId, and per partition the
 * sequence numbers of recent batches, so retries are deduplicated and gaps rejected.
 */
export class ProducerRegistry {
  private nextProducerId = 1000n;
  private readonly producers = new Map<bigint, ProducerState>();

  allocate(): { producerId: bigint; epoch: number } {
    const producerId = this.nextProducerId++;
    this.producers.set(producerId, { producerId, epoch: 0, batches: new Map() });
    return { producerId, epoch: 0 };
  }

  check(producerId: bigint, epoch: number, partitionKey: string, firstSequence: number, recordCount: number): SequenceCheck {
    const state = this.producers.get(producerId);
    if (!state) return { kind: 'reject', errorCode: ErrorCode.UNKNOWN_PRODUCER_ID };
    if (epoch !== state.epoch) return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    const lastSequence = (firstSequence + recordCount - 1) % SEQUENCE_LIMIT;
    const history = state.batches.get(partitionKey) ?? [];
    const duplicate = history.find((b) => b.firstSequence === firstSequence && b.lastSequence === lastSequence);
    if (duplicate) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    const last = history.at(-1);
    const expected = last === undefined ? 0 : (last.lastSequence + 1) % SEQUENCE_LIMIT;
    if (firstSequence !== expected) return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { kind: 'append' };
  }

  /** Records an appended batch; call only after `check` returned `append`. */
  record(producerId: bigint, partitionKey: string, firstSequence: number, recordCount: number, baseOffset: number): void {
    const state = this.producers.get(producerId);
    if (!state) throw new Error(`producer ${producerId} vanished between check and append`);
    const history = state.batches.get(partitionKey) ?? [];
    history.push({ firstSequence, lastSequence: (firstSequence + recordCount - 1) % SEQUENCE_LIMIT, baseOffset });
    if (history.length > RETAINED_BATCHES) history.shift();
    state.batches.set(partitionKey, history);
  }
}
