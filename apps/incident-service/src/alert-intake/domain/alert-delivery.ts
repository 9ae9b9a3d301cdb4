/**
 * The recorded delivery (intake ledger row) alert commands come from: its id seeds the commands' ids
 * and correlation id (so processing it again appends nothing new), `receivedAt` is their clock.
 */
export interface AlertDeliveryRef {
  id: string;
  integrationId: string;
  receivedAt: Date;
}
