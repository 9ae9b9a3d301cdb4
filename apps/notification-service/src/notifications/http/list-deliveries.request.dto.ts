import { PageRequest } from '@fireline/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../domain/delivery.transitions';

/** Query string of `GET /v1/deliveries` (paging: `PageRequest`). */
export class ListDeliveriesRequestDto extends PageRequest {
  /** Incident ids are UUIDs (any version: ids derived from an Idempotency-Key are name-based). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  incidentId?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ruleId?: string;

  /** A status-page subscriber's deliveries (notifications and confirmation emails). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  subscriberId?: string;
}
