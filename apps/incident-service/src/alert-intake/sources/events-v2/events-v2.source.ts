import type { AlertCommandResult } from '../../application/execute-alert.command';
import type { AlertCommand } from '../../domain/alert.commands';
import type { IntakeOutcome, IntakeTranslator } from '../../ledger/intake-translator';
import { parseEventsV2Event } from './events-v2-event.request.dto';
import { alertCommandOfEventsV2 } from './events-v2.translator';

/** The verdict and its reason, from what the alert command appended (or, when nothing, from the state). */
export function intakeOutcomeOf(command: AlertCommand, result: AlertCommandResult): IntakeOutcome {
  const event = result.newEvents[0];
  if (event === undefined) {
    const open = result.alert.status === 'triggered' || result.alert.status === 'acknowledged';
    const action = command.type === 'AcknowledgeAlert' ? 'acknowledge' : 'resolve';
    return { verdict: 'duplicate', reason: open ? `dropped: alert already ${result.alert.status}` : `dropped: no open alert to ${action}` };
  }
  const incarnation = (event.data as { incarnation?: number }).incarnation;
  switch (event.type) {
    case 'AlertTriggered':
      return { verdict: 'accepted', reason: `triggered: opened incarnation ${incarnation}` };
    case 'AlertRetriggered':
      return { verdict: 'duplicate', reason: `deduplicated into open incarnation ${incarnation} (trigger #${(event.data as { triggerCount: number }).triggerCount})` };
    case 'AlertAcknowledged':
      return { verdict: 'accepted', reason: `acknowledged incarnation ${incarnation}` };
    case 'AlertResolved':
      return { verdict: 'accepted', reason: `resolved incarnation ${incarnation}` };
    default:
      return { verdict: 'accepted', reason: event.type };
  }
}

/** The Events API v2 source behind the translator port: one alert command per delivery. */
export const EVENTS_V2_SOURCE: IntakeTranslator = {
  async commandsOf(body, row, labels) {
    const parsed = await parseEventsV2Event(body);
    return parsed.ok ? { ok: true, commands: [alertCommandOfEventsV2(parsed.event, row, labels)] } : { ok: false, errors: parsed.errors };
  },
  outcomeOf: (commands, results) => intakeOutcomeOf(commands[0], results[0]),
};

