import { ApiProperty } from '@nestjs/swagger';

/** The answer to an authentic PagerDuty delivery, after it is recorded. */
export class PagerDutyWebhookResponse {
  @ApiProperty({ enum: ['applied', 'duplicate', 'ignored'], description: 'applied: the incident changed; duplicate: a redelivery or nothing to change; ignored: not mirrored' })
  result!: 'applied' | 'duplicate' | 'ignored';

  @ApiProperty({ example: 'DeclareIncident: IncidentDeclared' })
  reason!: string;

  @ApiProperty({ format: 'uuid', description: 'The delivery in GET /v1/integrations/{id}/deliveries' })
  deliveryId!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  incidentId!: string | null;
}
