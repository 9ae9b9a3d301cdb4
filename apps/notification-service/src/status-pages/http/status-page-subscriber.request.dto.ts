import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageRequest } from '@fireline/http';
import { HTTP_URL_OPTIONS, URL_MAX_LENGTH } from '../../notifications/http/notification-channel.request.dto';
import { TOKEN_PATTERN } from '../domain/subscription-tokens';

/** Most components one subscription may name (a page has at most a few hundred). */
export const SUBSCRIPTION_COMPONENTS_MAX = 100;

/** `true`/`false` in a query string; anything else stays a string and fails `@IsBoolean`. */
function toBoolean({ value }: { value: unknown }): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/** `POST /v1/status-pages/{pageId}/subscribers`: a webhook subscriber. */
export class AddWebhookSubscriberRequestDto {
  /** Where notifications are posted: https to a public address (the outbound policy), checked again on every connection. */
  @ApiProperty({ example: 'https://hooks.example.com/statuspage' })
  @IsUrl(HTTP_URL_OPTIONS, { message: 'url must be an http or https URL' })
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  /** HMAC signing secret; when absent one is generated and returned once. */
  @ApiPropertyOptional({ minLength: 16, maxLength: 256 })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;

  /** Component ids of the page; absent or empty: the whole page. */
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SUBSCRIPTION_COMPONENTS_MAX)
  @IsUUID('all', { each: true })
  componentIds?: string[];
}

/** Query string of `GET /v1/status-pages/{pageId}/subscribers` (paging: `PageRequest`). */
export class ListSubscribersRequestDto extends PageRequest {
  @ApiPropertyOptional({ enum: ['pending', 'active', 'unsubscribed'] })
  @IsOptional()
  @IsIn(['pending', 'active', 'unsubscribed'])
  status?: 'pending' | 'active' | 'unsubscribed';

  @ApiPropertyOptional({ enum: ['email', 'webhook'] })
  @IsOptional()
  @IsIn(['email', 'webhook'])
  channel?: 'email' | 'webhook';

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  quarantined?: boolean;
}

/** Query string of `POST …/subscribers/{subscriberId}/unquarantine`. */
export class UnquarantineSubscriberRequestDto {
  /** Also re-queue its dead-lettered deliveries (at most 1000, oldest first). Default false. */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  retryDeadLetters?: boolean;
}

/** `POST /status/{slug}/subscriptions`: email notifications of a page (double opt-in). */
export class SubscribeRequestDto {
  @ApiProperty({ example: 'reader@example.com', maxLength: 254 })
  @IsEmail({ allow_display_name: false, allow_ip_domain: false, require_tld: true }, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** Component ids of the page; absent or empty: the whole page. */
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SUBSCRIPTION_COMPONENTS_MAX)
  @IsUUID('all', { each: true })
  componentIds?: string[];
}

/** Query string of the confirmation link. */
export class ConfirmLinkRequestDto {
  @ApiProperty({ description: 'the token of the confirmation email (43 base64url characters)' })
  @IsString()
  @Matches(TOKEN_PATTERN, { message: 'token must be 43 base64url characters' })
  token!: string;
}

/** Query string of the unsubscribe link. */
export class UnsubscribeLinkRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  id!: string;

  @ApiProperty({ description: 'the token of the unsubscribe link (43 base64url characters)' })
  @IsString()
  @Matches(TOKEN_PATTERN, { message: 'token must be 43 base64url characters' })
  token!: string;
}
