import { ROLES, SCOPES, type Role, type Scope } from '@fireline/auth';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiKeyView } from '../application/api-keys';

/** An API key as served: never the key, never its hash. */
export class ApiKeyResponse implements ApiKeyView {
  @ApiProperty({ example: '3kTzq0P1mNbc' }) id!: string;
  @ApiProperty({ example: 'flk_3kTzq0P1mNbc', description: 'the start of the key' }) prefix!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes!: Scope[];
  @ApiPropertyOptional({ enum: ROLES, nullable: true }) role!: Role | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status!: 'active' | 'expired' | 'revoked';
  @ApiProperty() expiresAt!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ example: 'key:Adm1nKey0001' }) createdBy!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokeReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'last request to incident-service with it (minute resolution)' }) lastUsedAt!: string | null;
}

/** `201` of `POST /v1/api-keys`: the key, shown this once. */
export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ example: 'flk_3kTzq0P1mNbc…', description: 'send as `Authorization: Bearer <key>`; shown only in this answer' }) key!: string;
}

/** A page of `GET /v1/api-keys`. */
export class ApiKeyPageResponse {
  @ApiProperty({ type: [ApiKeyResponse] }) items!: ApiKeyResponse[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
