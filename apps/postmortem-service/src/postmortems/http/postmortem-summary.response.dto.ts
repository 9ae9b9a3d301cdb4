import { ApiProperty } from '@nestjs/swagger';
import { POSTMORTEM_STATUSES, type PostmortemStatus } from '../domain/postmortem.state';
import type { PostmortemSummaryEntity } from '../projections/postmortem-summary.entity';

/** One row of `GET /v1/postmortems` (read model: may lag the stream by a moment). */
export class PostmortemSummaryResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  incidentId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ enum: POSTMORTEM_STATUSES })
  status!: PostmortemStatus;

  @ApiProperty({ format: 'date-time' })
  dueAt!: string;

  @ApiProperty()
  actionItemsTotal!: number;

  @ApiProperty({ description: 'Action items neither done nor wont_do' })
  actionItemsOpen!: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static fromEntity(entity: PostmortemSummaryEntity): PostmortemSummaryResponseDto {
    return Object.assign(new PostmortemSummaryResponseDto(), {
      id: entity.id,
      incidentId: entity.incidentId,
      title: entity.title,
      status: entity.status,
      dueAt: entity.dueAt.toISOString(),
      actionItemsTotal: entity.actionItemsTotal,
      actionItemsOpen: entity.actionItemsOpen,
      updatedAt: entity.updatedAt.toISOString(),
    });
  }
}

/** `GET /v1/postmortems`: one page of summaries. */
export class PostmortemSummaryPageResponseDto {
  @ApiProperty({ type: [PostmortemSummaryResponseDto] })
  items!: PostmortemSummaryResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor!: string | null;
}
