/** The answer of a bulk retry of a rule's dead letters. */
export class DeadLetterRetryView {
  ruleId!: string;
  /** How many dead-lettered deliveries this call re-queued (at most its `limit`). */
  requeued!: number;
  /** Their ids, oldest first; each keeps its id (`Fireline-Delivery-Id`) in its new round of attempts. */
  deliveryIds!: string[];
  /** The rule's dead-lettered deliveries still left: call again while above 0. */
  remaining!: number;
}
