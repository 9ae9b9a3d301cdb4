import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POSTMORTEM_STATUSES, SEVERITIES, type ExistingPostmortemState, type PostmortemStatus, type Severity } from '../domain/postmortem.state';
import { ActionItemResponseDto } from './action-item.response.dto';

/** The impact section of a postmortem. */
export class PostmortemImpactResponseDto {
  @ApiProperty({ enum: SEVERITIES })
  severity!: Severity;

  @ApiProperty({ type: [String] })
  services!: string[];

  @ApiProperty()
  durationMinutes!: number;

  @ApiProperty()
  description!: string;
}

/** One line of the incident timeline, copied from an incident event. */
export class TimelineEntryResponseDto {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ example: 'IncidentAcknowledged' })
  type!: string;

  @ApiProperty()
  actor!: string;

  @ApiProperty()
  summary!: string;
}

/** A postmortem replayed from its stream; the response's `ETag` is its `version`. */
export class PostmortemResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  incidentId!: string;

  @ApiProperty({ enum: POSTMORTEM_STATUSES })
  status!: PostmortemStatus;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  summary!: string;

  @ApiProperty({ type: PostmortemImpactResponseDto })
  impact!: PostmortemImpactResponseDto;

  @ApiProperty({ type: [TimelineEntryResponseDto] })
  timeline!: TimelineEntryResponseDto[];

  @ApiProperty()
  rootCause!: string;

  @ApiProperty({ type: [String] })
  contributingFactors!: string[];

  @ApiProperty({ type: [String] })
  whatWentWell!: string[];

  @ApiProperty({ type: [String] })
  whatWentWrong!: string[];

  @ApiProperty({ type: [String] })
  whereWeGotLucky!: string[];

  @ApiProperty({ type: [ActionItemResponseDto] })
  actionItems!: ActionItemResponseDto[];

  @ApiProperty({ format: 'date-time' })
  dueAt!: string;

  @ApiProperty({ format: 'date-time' })
  draftedAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty()
  updatedBy!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  publishedAt?: string;

  @ApiProperty({ description: 'Stream version, also sent as ETag' })
  version!: number;

  static fromState(state: ExistingPostmortemState, version: number): PostmortemResponseDto {
    return Object.assign(new PostmortemResponseDto(), {
      id: state.postmortemId,
      incidentId: state.incidentId,
      status: state.status,
      title: state.title,
      summary: state.summary,
      impact: { ...state.impact, services: [...state.impact.services] },
      timeline: state.timeline.map((entry) => ({ ...entry })),
      rootCause: state.rootCause,
      contributingFactors: state.contributingFactors,
      whatWentWell: state.whatWentWell,
      whatWentWrong: state.whatWentWrong,
      whereWeGotLucky: state.whereWeGotLucky,
      actionItems: state.actionItems.map((item) => ActionItemResponseDto.fromState(item, state.postmortemId, state.incidentId)),
      dueAt: state.dueAt,
      draftedAt: state.draftedAt,
      updatedAt: state.updatedAt,
      updatedBy: state.updatedBy,
      ...(state.status === 'published' ? { publishedAt: state.publishedAt } : {}),
      version,
    });
  }
}
