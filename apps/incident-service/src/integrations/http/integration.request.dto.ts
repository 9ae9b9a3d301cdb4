import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBase64, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { INCIDENT_SEVERITIES, type Severity } from '../../incidents/domain/incident.values';
import { INTEGRATION_LIMITS, INTEGRATION_TYPES, MAX_SIGNING_SECRETS, type IntegrationType } from '../domain/integration.values';

const notBlank = /\S/;

/** Overrides of the default alert→incident severity mapping (critical→SEV1, error→SEV2, warning→SEV3, info→SEV4). */
export class SeverityMappingRequest {
  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES })
  @IsOptional()
  @IsIn(INCIDENT_SEVERITIES)
  critical?: Severity;

  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES })
  @IsOptional()
  @IsIn(INCIDENT_SEVERITIES)
  error?: Severity;

  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES })
  @IsOptional()
  @IsIn(INCIDENT_SEVERITIES)
  warning?: Severity;

  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES })
  @IsOptional()
  @IsIn(INCIDENT_SEVERITIES)
  info?: Severity;
}

/** `POST /v1/integrations`. */
export class CreateIntegrationRequest {
  @ApiProperty({ enum: INTEGRATION_TYPES })
  @IsIn(INTEGRATION_TYPES)
  type!: IntegrationType;

  @ApiProperty({ example: 'Prometheus production', maxLength: INTEGRATION_LIMITS.nameMax })
  @IsString()
  @Length(1, INTEGRATION_LIMITS.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ example: 'checkout', maxLength: INTEGRATION_LIMITS.serviceMax, description: 'the service its incidents are declared for' })
  @IsString()
  @Length(1, INTEGRATION_LIMITS.serviceMax)
  @Matches(notBlank, { message: 'service must not be blank' })
  service!: string;

  @ApiPropertyOptional({ type: SeverityMappingRequest })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SeverityMappingRequest)
  severityMapping?: SeverityMappingRequest;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_SIGNING_SECRETS,
    description: '`pagerduty-webhooks-v3` only (required there): the signing secret(s) PagerDuty shows, newest first; two while rotating',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SIGNING_SECRETS)
  @IsString({ each: true })
  @Length(INTEGRATION_LIMITS.signingSecretMin, INTEGRATION_LIMITS.signingSecretMax, { each: true })
  signingSecrets?: string[];
}

/** `GET /v1/integrations/{id}/deliveries`. */
export class ListDeliveriesRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'the `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @IsBase64({ urlSafe: true })
  cursor?: string;
}
