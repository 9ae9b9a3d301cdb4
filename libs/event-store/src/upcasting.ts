import type { RecordedEvent, Upcaster } from './event-store.types';

/** Upcasters chained for one event are bounded so that a cycle fails loudly instead of hanging. */
const MAX_UPCAST_STEPS = 100;

/**
 * Returns a function that upcasts a stored event: while an upcaster matches its `(type,
 * schemaVersion)`, replace `data` and `schemaVersion` with the upcaster's result. Events no upcaster
 * matches are returned as they are (same object).
 *
 * @throws Error when two upcasters share a `(eventType, fromSchemaVersion)`, or (on use) when an
 *   upcaster does not raise the schema version or a chain exceeds 100 steps.
 */
export function createUpcast(upcasters: readonly Upcaster[] = []): (event: RecordedEvent) => RecordedEvent {
  const byKey = new Map<string, Upcaster>();
  for (const upcaster of upcasters) {
    const key = `${upcaster.eventType}@${upcaster.fromSchemaVersion}`;
    if (byKey.has(key)) throw new Error(`Two upcasters for ${key}`);
    byKey.set(key, upcaster);
  }
  if (byKey.size === 0) return (event) => event;
  return (event) => {
    let current = event;
    for (let step = 0; ; step++) {
      const upcaster = byKey.get(`${current.type}@${current.schemaVersion}`);
      if (!upcaster) return current;
      if (step >= MAX_UPCAST_STEPS) throw new Error(`Upcaster chain for ${event.type} exceeds ${MAX_UPCAST_STEPS} steps`);
      const result = upcaster.upcast(current.data);
      if (!(result.schemaVersion > current.schemaVersion)) {
        throw new Error(
          `Upcaster ${current.type}@${current.schemaVersion} returned schemaVersion ${result.schemaVersion}; it must be higher`,
        );
      }
      current = { ...current, schemaVersion: result.schemaVersion, data: result.data };
    }
  };
}
