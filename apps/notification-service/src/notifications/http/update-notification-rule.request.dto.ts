import { IsAbsentOrDefined } from '@fireline/http';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { CHANNEL_TYPE_OPTIONS, NotificationChannelRequestDto, type ChannelRequest } from './notification-channel.request.dto';
import { NotificationRuleMatchRequestDto } from './notification-rule-match.request.dto';


/**
 * `PATCH /v1/notification-rules/{id}`: each present member replaces the stored one (`match` and
 * `channel` as a whole). A webhook channel without `secret` keeps the current secret if the rule
 * already was a webhook, else gets a generated one (returned once).
 */
export class UpdateNotificationRuleRequestDto {
  @IsAbsentOrDefined()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsAbsentOrDefined()
  @IsBoolean()
  enabled?: boolean;

  @IsAbsentOrDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationRuleMatchRequestDto)
  match?: NotificationRuleMatchRequestDto;

  @IsAbsentOrDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationChannelRequestDto, CHANNEL_TYPE_OPTIONS)
  channel?: ChannelRequest;
}
