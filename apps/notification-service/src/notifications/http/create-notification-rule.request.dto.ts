import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { CHANNEL_TYPE_OPTIONS, NotificationChannelRequestDto, type ChannelRequest } from './notification-channel.request.dto';
import { NotificationRuleMatchRequestDto } from './notification-rule-match.request.dto';

/** `POST /v1/notification-rules`. */
export class CreateNotificationRuleRequestDto {
  @IsString()
  @Length(1, 200)
  name!: string;

  /** Default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationRuleMatchRequestDto)
  match?: NotificationRuleMatchRequestDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationChannelRequestDto, CHANNEL_TYPE_OPTIONS)
  channel!: ChannelRequest;
}
