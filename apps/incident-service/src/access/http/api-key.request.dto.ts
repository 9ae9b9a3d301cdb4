import { ROLES, SCOPES, type Role, type Scope } from '@fireline/auth';
import { PageRequest } from '@fireline/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { API_KEY_LIMITS } from '../domain/api-key.decider';

/** `POST /v1/api-keys`: a name, scopes and/or a role; `expiresAt` defaults to 90 days from now (at most 365). */
export class CreateApiKeyRequest {
  @ApiProperty({ example: 'ci', maxLength: API_KEY_LIMITS.nameMax })
  @IsString()
  @Length(1, API_KEY_LIMITS.nameMax)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, example: ['incidents:read', 'incidents:write'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  @ApiPropertyOptional({ enum: ROLES, description: 'viewer: every :read scope; responder: viewer + incidents:write + postmortems:write; admin: everything' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'date-time', description: 'ISO-8601; default 90 days from now, at most API_KEY_MAX_LIFETIME_DAYS (365) ahead. There is no "never".' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}

/** `POST /v1/api-keys/{id}/revoke`: why, for the audit log. */
export class RevokeApiKeyRequest {
  @ApiProperty({ maxLength: API_KEY_LIMITS.reasonMax, example: 'leaked in a CI log' })
  @IsString()
  @Length(1, API_KEY_LIMITS.reasonMax)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

/** `GET /v1/api-keys`: newest first. */
export class ListApiKeysRequest extends PageRequest {}
