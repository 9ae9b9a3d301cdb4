import { PageRequest } from '@fireline/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { INCIDENT_SEVERITIES, type Severity } from '../../../incidents/domain/incident.values';
import {
  AUTO_RESOLVE_POLICIES,
  DEFAULT_AUTO_RESOLVE,
  INTEGRATION_LIMITS,
  INTEGRATION_TYPES,
  MAX_SIGNING_SECRETS,
  type AutoResolvePolicy,
  type IntegrationType,
} from '../domain/integration.values';

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

const AUTO_RESOLVE_DESCRIPTION =
  'when all its alerts resolve, the incident resolves: unless_taken_over (unless someone other than the integration acted on it), always, or never (a timeline note only)';

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

  @ApiPropertyOptional({ enum: AUTO_RESOLVE_POLICIES, default: DEFAULT_AUTO_RESOLVE, description: AUTO_RESOLVE_DESCRIPTION })
  @IsOptional()
  @IsIn(AUTO_RESOLVE_POLICIES)
  autoResolve?: AutoResolvePolicy;

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

/** Present means set: `null` is refused like any other wrong type (the columns are NOT NULL). */
const present = (_object: object, value: unknown) => value !== undefined;

/**
 * `PATCH /v1/integrations/{id}`: the settings to change (at least one). Type and generated credentials
 * cannot change; a `pagerduty-webhooks-v3` integration's signing secrets can (rotation: send the new and
 * the old secret while PagerDuty rolls over, then the new one alone).
 */
export class UpdateIntegrationRequest {
  @ApiPropertyOptional({ example: 'Prometheus production', maxLength: INTEGRATION_LIMITS.nameMax })
  @ValidateIf(present)
  @IsString()
  @Length(1, INTEGRATION_LIMITS.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ example: 'checkout', maxLength: INTEGRATION_LIMITS.serviceMax })
  @ValidateIf(present)
  @IsString()
  @Length(1, INTEGRATION_LIMITS.serviceMax)
  @Matches(notBlank, { message: 'service must not be blank' })
  service?: string;

  @ApiPropertyOptional({ type: SeverityMappingRequest, description: 'merged into the current mapping' })
  @ValidateIf(present)
  @IsObject()
  @ValidateNested()
  @Type(() => SeverityMappingRequest)
  severityMapping?: SeverityMappingRequest;

  @ApiPropertyOptional({ enum: AUTO_RESOLVE_POLICIES, description: AUTO_RESOLVE_DESCRIPTION })
  @ValidateIf(present)
  @IsIn(AUTO_RESOLVE_POLICIES)
  autoResolve?: AutoResolvePolicy;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_SIGNING_SECRETS,
    description: '`pagerduty-webhooks-v3` only: replaces the signing secrets, newest first; two while rotating',
  })
  @ValidateIf(present)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SIGNING_SECRETS)
  @IsString({ each: true })
  @Length(INTEGRATION_LIMITS.signingSecretMin, INTEGRATION_LIMITS.signingSecretMax, { each: true })
  signingSecrets?: string[];
}

/** `GET /v1/integrations`: paging only (newest first). */
export class ListIntegrationsRequest extends PageRequest {}

/** `GET /v1/integrations/{id}/deliveries`: paging only (newest first). */
export class ListDeliveriesRequest extends PageRequest {}
