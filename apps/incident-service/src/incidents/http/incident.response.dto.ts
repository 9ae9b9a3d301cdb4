import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../domain/incident.values';
import type { Incident, LastStatusUpdate } from '../domain/incident.state';

/** The latest status update for one audience. */
export class StatusUpdateResponse {
  @ApiProperty() updateId!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'ISO-8601 UTC' }) at!: string;
  @ApiProperty() by!: string;
}

/** Current holder of each incident role; `null` when vacant. */
export class IncidentRolesResponse {
  @ApiProperty({ nullable: true, type: String }) incident_commander!: string | null;
  @ApiProperty({ nullable: true, type: String }) technical_lead!: string | null;
  @ApiProperty({ nullable: true, type: String }) communications_lead!: string | null;
}

/** The latest internal and external status updates. */
export class LastStatusUpdatesResponse {
  @ApiPropertyOptional({ type: StatusUpdateResponse, nullable: true }) internal!: LastStatusUpdate | null;
  @ApiPropertyOptional({ type: StatusUpdateResponse, nullable: true }) external!: LastStatusUpdate | null;
}

/** An incident as the API returns it. Times are ISO-8601 UTC; `version` equals the `ETag`. */
export class IncidentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: INCIDENT_SEVERITIES }) severity!: string;
  @ApiProperty({ enum: INCIDENT_STATUSES }) status!: string;
  @ApiProperty({ type: [String] }) services!: string[];
  @ApiProperty() detectionSource!: string;
  @ApiProperty() declaredAt!: string;
  @ApiProperty() declaredBy!: string;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) acknowledgedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolutionSummary!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ type: IncidentRolesResponse }) roles!: IncidentRolesResponse;
  @ApiProperty({ type: LastStatusUpdatesResponse }) lastStatusUpdate!: LastStatusUpdatesResponse;
  @ApiProperty() noteCount!: number;
  @ApiProperty() updateCount!: number;
  @ApiProperty({ description: 'stream version; also the ETag' }) version!: number;
}

/** Maps the folded incident to its API shape, dropping bookkeeping such as the seen note ids. */
export function toIncidentResponse(incident: Incident, version: number): IncidentResponse {
  return {
    id: incident.id,
    title: incident.title,
    description: incident.description,
    severity: incident.severity,
    status: incident.status,
    services: incident.services,
    detectionSource: incident.detectionSource,
    declaredAt: incident.declaredAt,
    declaredBy: incident.declaredBy,
    acknowledgedAt: incident.acknowledgedAt,
    acknowledgedBy: incident.acknowledgedBy,
    resolvedAt: incident.resolvedAt,
    resolutionSummary: incident.resolutionSummary,
    closedAt: incident.closedAt,
    roles: { ...incident.roles },
    lastStatusUpdate: { ...incident.lastStatusUpdate },
    noteCount: incident.noteCount,
    updateCount: incident.updateCount,
    version,
  };
}
