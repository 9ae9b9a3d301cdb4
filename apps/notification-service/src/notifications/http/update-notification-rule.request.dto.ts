import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { CHANNEL_TYPE_OPTIONS, NotificationChannelRequestDto, type ChannelRequest } from './notification-channel.request.dto';
import { NotificationRuleMatchRequestDto } from './notification-rule-match.request.dto';

/**
 * `PATCH /v1/notification-rules/{id}`: each present member replaces the stored one (`match` and
 * `channel` as a whole). A webhook channel without `secret` keeps the current secret if the rule
 * already was a webhook, else gets a generated one (returned once).
 */
export class UpdateNotificationRuleRequestDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationRuleMatchRequestDto)
  match?: NotificationRuleMatchRequestDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationChannelRequestDto, CHANNEL_TYPE_OPTIONS)
  channel?: ChannelRequest;
}
