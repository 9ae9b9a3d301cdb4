import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

/** `PUT /v1/status-pages/{pageId}/statuspage-sync`. */
export class ConfigureStatuspageSyncRequestDto {
  /** The Statuspage page id (from the Statuspage API or the page's settings). */
  @ApiProperty({ example: 'kctbh9vrtdwd' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'statuspagePageId must be letters, digits, - or _' })
  statuspagePageId!: string;

  /** A Statuspage API key (sent as `Authorization: OAuth <key>`); stored encrypted, never shown again. */
  @ApiProperty({ example: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' })
  @IsString()
  @Length(8, 256)
  @Matches(/^[\x21-\x7e]+$/, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey!: string;
}
