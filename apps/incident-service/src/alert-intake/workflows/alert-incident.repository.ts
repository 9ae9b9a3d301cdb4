import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';

/** The incident of one alert incarnation. */
export interface IncarnationIncident {
  incidentId: string;
  /** True when the incarnation attached to an earlier incarnation's still-open incident. */
  attached: boolean;
}

/** `alert_incidents`: the incident of each alert incarnation (see the migration). */
@Injectable()
export class AlertIncidentRepository {
  constructor(@Inject(INCIDENT_PG_POOL) private readonly pool: Pool) {}

  /** The stored decision for `(streamId, incarnation)`, or `null` before it is decided. */
  async find(streamId: string, incarnation: number): Promise<IncarnationIncident | null> {
    const result = await this.pool.query<{ incident_id: string; attached: boolean }>({
      name: 'fireline_alert_incidents_find',
      text: 'SELECT incident_id, attached FROM alert_incidents WHERE stream_id = $1 AND incarnation = $2',
      values: [streamId, incarnation],
    });
    const row = result.rows[0];
    return row ? { incidentId: row.incident_id, attached: row.attached } : null;
  }

  /** Stores the decision unless one is stored already (first writer wins); returns the stored one. */
  async decide(streamId: string, incarnation: number, decision: IncarnationIncident): Promise<IncarnationIncident> {
    await this.pool.query(
      'INSERT INTO alert_incidents (stream_id, incarnation, incident_id, attached) VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, incarnation) DO NOTHING',
      [streamId, incarnation, decision.incidentId, decision.attached],
    );
    return (await this.find(streamId, incarnation)) ?? decision;
  }
}
