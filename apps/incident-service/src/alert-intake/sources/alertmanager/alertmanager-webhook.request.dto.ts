import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALERTMANAGER_ALERT_STATUSES, type AlertmanagerAlert, type AlertmanagerAlertStatus, type AlertmanagerWebhook } from './alertmanager-webhook';

/* OpenAPI shapes of Alertmanager's webhook body (version 4); parsed and checked by `parseAlertmanagerWebhook`. */

/** One `alerts[]` entry. */
export class AlertmanagerAlertRequest implements AlertmanagerAlert {
  @ApiProperty({ enum: ALERTMANAGER_ALERT_STATUSES })
  status!: AlertmanagerAlertStatus;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { alertname: 'HighErrorRate', severity: 'critical' } })
  labels!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { summary: '5xx rate above 15% on checkout' } })
  annotations!: Record<string, string>;

  @ApiProperty({ example: '2026-11-21T06:11:41Z' })
  startsAt!: string;

  @ApiProperty({ example: '0001-01-01T00:00:00Z' })
  endsAt!: string;

  @ApiProperty({ example: 'http://prometheus.local/graph?g0.expr=rate' })
  generatorURL!: string;

  @ApiProperty({ example: '6c2d91d028909ef5' })
  fingerprint!: string;
}

/** The whole delivery: one Alertmanager group. */
export class AlertmanagerWebhookRequest implements AlertmanagerWebhook {
  @ApiProperty({ example: '4' })
  version!: '4';

  @ApiProperty({ example: '{}:{alertname="HighErrorRate", service="checkout"}' })
  groupKey!: string;

  @ApiPropertyOptional({ example: 0 })
  truncatedAlerts!: number;

  @ApiProperty({ enum: ALERTMANAGER_ALERT_STATUSES })
  status!: AlertmanagerAlertStatus;

  @ApiProperty({ example: 'fireline' })
  receiver!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  groupLabels!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  commonLabels!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  commonAnnotations!: Record<string, string>;

  @ApiProperty({ example: 'http://alertmanager:9093' })
  externalURL!: string;

  @ApiProperty({ type: [AlertmanagerAlertRequest] })
  alerts!: AlertmanagerAlertRequest[];
}
