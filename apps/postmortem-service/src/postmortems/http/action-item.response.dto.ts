import { ApiProperty } from '@nestjs/swagger';
import { ACTION_ITEM_PRIORITIES, ACTION_ITEM_STATUSES, type ActionItem, type ActionItemPriority, type ActionItemStatus } from '../domain/postmortem.state';
import type { ActionItemEntity } from '../projections/action-item.entity';

/** One action item (from the postmortem stream, or from the `action_items` read model). */
export class ActionItemResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  postmortemId!: string;

  @ApiProperty({ format: 'uuid' })
  incidentId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  owner!: string;

  @ApiProperty({ format: 'date' })
  dueDate!: string;

  @ApiProperty({ enum: ACTION_ITEM_PRIORITIES })
  priority!: ActionItemPriority;

  @ApiProperty({ enum: ACTION_ITEM_STATUSES })
  status!: ActionItemStatus;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static fromState(item: ActionItem, postmortemId: string, incidentId: string): ActionItemResponseDto {
    return Object.assign(new ActionItemResponseDto(), {
      id: item.id,
      postmortemId,
      incidentId,
      title: item.title,
      owner: item.owner,
      dueDate: item.dueDate,
      priority: item.priority,
      status: item.status,
      description: item.description,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
    });
  }

  static fromEntity(entity: ActionItemEntity): ActionItemResponseDto {
    return Object.assign(new ActionItemResponseDto(), {
      id: entity.id,
      postmortemId: entity.postmortemId,
      incidentId: entity.incidentId,
      title: entity.title,
      owner: entity.owner,
      dueDate: toIsoDate(entity.dueDate),
      priority: entity.priority,
      status: entity.status,
      description: entity.description,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    });
  }
}

/** `GET /v1/action-items`: one page of action items. */
export class ActionItemPageResponseDto {
  @ApiProperty({ type: [ActionItemResponseDto] })
  items!: ActionItemResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor!: string | null;
}

/** A `date` column comes back as `YYYY-MM-DD` from TypeORM; tolerate a Date as well. */
function toIsoDate(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value;
}
