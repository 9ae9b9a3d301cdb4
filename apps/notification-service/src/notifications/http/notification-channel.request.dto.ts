import { IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import type { IsURLOptions } from 'validator/lib/isURL';
import type { NotificationChannelType } from '../domain/notification-rule';

/** http/https with a host; no TLD required so that internal hosts (and 127.0.0.1 in tests) work. */
export const HTTP_URL_OPTIONS: IsURLOptions = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true };
export const URL_MAX_LENGTH = 2048;

/** Shared by both channel DTOs; `type` picks the subclass (see the `@Type` discriminator on use). */
export class NotificationChannelRequestDto {
  @IsIn(['webhook', 'slack'] satisfies NotificationChannelType[])
  type!: NotificationChannelType;
}

export class WebhookChannelRequestDto extends NotificationChannelRequestDto {
  declare type: 'webhook';

  @IsUrl(HTTP_URL_OPTIONS, { message: 'url must be an http or https URL' })
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  /** HMAC signing secret; when absent the service generates one and returns it once. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;
}

export class SlackChannelRequestDto extends NotificationChannelRequestDto {
  declare type: 'slack';

  /** A Slack incoming-webhook URL (`https://hooks.slack.com/services/…`). */
  @IsUrl(HTTP_URL_OPTIONS, { message: 'webhookUrl must be an http or https URL' })
  @MaxLength(URL_MAX_LENGTH)
  webhookUrl!: string;
}

export type ChannelRequest = WebhookChannelRequestDto | SlackChannelRequestDto;

/** class-transformer options that turn `channel` into the DTO subclass named by its `type`. */
export const CHANNEL_TYPE_OPTIONS = {
  keepDiscriminatorProperty: true,
  discriminator: {
    property: 'type',
    subTypes: [
      { value: WebhookChannelRequestDto, name: 'webhook' },
      { value: SlackChannelRequestDto, name: 'slack' },
    ],
  },
};
