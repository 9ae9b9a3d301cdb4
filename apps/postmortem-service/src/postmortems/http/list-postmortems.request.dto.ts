import { PageRequest } from '@fireline/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { POSTMORTEM_STATUSES, type PostmortemStatus } from '../domain/postmortem.state';

/** `GET /v1/postmortems` filters. */
export class ListPostmortemsRequestDto extends PageRequest {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  incidentId?: string;

  @ApiPropertyOptional({ enum: POSTMORTEM_STATUSES })
  @IsOptional()
  @IsIn(POSTMORTEM_STATUSES)
  status?: PostmortemStatus;
}
