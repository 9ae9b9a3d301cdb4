import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { INCIDENT_EVENT_KINDS_V1, INCIDENT_INTEGRATION_EVENT_TYPES_V1, type IncidentEventKindV1, type IncidentIntegrationEventTypeV1, type SeverityV1 } from '@fireline/contracts';

export const SEVERITIES: readonly SeverityV1[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

/** Filters of a rule; an absent or empty list matches anything. */
export class NotificationRuleMatchRequestDto {
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SEVERITIES, { each: true })
  severities?: SeverityV1[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  services?: string[];

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(INCIDENT_INTEGRATION_EVENT_TYPES_V1, { each: true })
  eventTypes?: IncidentIntegrationEventTypeV1[];

  /** `lifecycle`, `alert_churn`: e.g. `["lifecycle"]` to hear nothing of alerts joining or leaving an incident's group. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(INCIDENT_EVENT_KINDS_V1, { each: true })
  kinds?: IncidentEventKindV1[];
}
