import type { Severity } from './incident.values';
import { INCIDENT_SEVERITIES } from './incident.values';

/**
 * One condition of `POSTMORTEM_REQUIRED_FOR`: a severity (the highest the incident reached), `human`
 * (a human actor declared the incident or acted on it before it was resolved), `all` or `none`.
 */
export type PostmortemCondition = Severity | 'human' | 'all' | 'none';

/** The conditions a postmortem is required under (any one suffices), as configured. */
export type PostmortemPolicy = readonly PostmortemCondition[];

export const POSTMORTEM_CONDITIONS: readonly PostmortemCondition[] = [...INCIDENT_SEVERITIES, 'human', 'all', 'none'];

/** Every incident a person declared or touched, and every SEV1/SEV2, gets a draft; machine-only SEV3/SEV4 do not. */
export const DEFAULT_POSTMORTEM_POLICY: PostmortemPolicy = Object.freeze(['SEV1', 'SEV2', 'human'] as const);

/** Whether a resolution calls for a postmortem, and why (one sentence, naming the policy). */
export interface PostmortemRequirement {
  required: boolean;
  reason: string;
}

/**
 * Parses `POSTMORTEM_REQUIRED_FOR`: conditions separated by commas, blanks around them ignored,
 * case-insensitive (`sev1,Human` = `SEV1,human`). `all` and `none` must stand alone.
 * @returns `{ policy }`, or `{ error }` naming the offending token.
 */
export function parsePostmortemPolicy(text: string): { policy: PostmortemPolicy } | { error: string } {
  const tokens = text.split(',').map((token) => token.trim()).filter((token) => token !== '');
  if (tokens.length === 0) return { error: `must list at least one of ${POSTMORTEM_CONDITIONS.join(', ')}` };
  const policy: PostmortemCondition[] = [];
  for (const token of tokens) {
    const condition = POSTMORTEM_CONDITIONS.find((c) => c.toLowerCase() === token.toLowerCase());
    if (condition === undefined) return { error: `unknown condition "${token}" (expected ${POSTMORTEM_CONDITIONS.join(', ')})` };
    if (!policy.includes(condition)) policy.push(condition);
  }
  if (policy.length > 1 && (policy.includes('all') || policy.includes('none'))) return { error: '"all" and "none" must stand alone' };
  return { policy };
}

/** The policy as `POSTMORTEM_REQUIRED_FOR` spells it, e.g. `SEV1,SEV2,human`. */
export function formatPostmortemPolicy(policy: PostmortemPolicy): string {
  return policy.join(',');
}

/**
 * A human actor: an API key (`key:<id>`), a user (`user:…`, an email) — anything but automation,
 * i.e. not `integration:<id>` (alert sources) and not `system:<component>` (our own workflows, timers).
 */
export function isHumanActor(actor: string): boolean {
  return !actor.startsWith('integration:') && !actor.startsWith('system:');
}

/** What the policy looks at: the highest severity the incident reached and the first human who acted (or `null`). */
export interface PostmortemFacts {
  highestSeverity: Severity;
  /** The first human actor on the incident (declared it, or acted before the resolution), or `null`. */
  firstHumanActor: string | null;
  /** Who declared it. */
  declaredBy: string;
  /** Who resolves it (the resolving command's actor). */
  resolvedBy: string;
}

/**
 * Decides, at resolution, whether the incident needs a postmortem under `policy` (pure). Reasons read
 * e.g. `required: SEV1 reached (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)`, `required: key:ab12 acted on it
 * (…)`, `not required: SEV4, declared and resolved by integration:x with no human action (…)`.
 */
export function postmortemRequirement(policy: PostmortemPolicy, facts: PostmortemFacts): PostmortemRequirement {
  const setting = `(POSTMORTEM_REQUIRED_FOR=${formatPostmortemPolicy(policy)})`;
  if (policy.includes('all')) return { required: true, reason: `required for every incident ${setting}` };
  const human = facts.firstHumanActor ?? (isHumanActor(facts.resolvedBy) ? facts.resolvedBy : null);
  if (policy.includes(facts.highestSeverity)) return { required: true, reason: `required: ${facts.highestSeverity} reached ${setting}` };
  if (policy.includes('human') && human !== null) {
    const what = human === facts.declaredBy ? 'declared it' : human === facts.resolvedBy && facts.firstHumanActor === null ? 'resolved it' : 'acted on it';
    return { required: true, reason: `required: ${human} ${what} ${setting}` };
  }
  const by = facts.declaredBy === facts.resolvedBy ? `declared and resolved by ${facts.declaredBy}` : `declared by ${facts.declaredBy}, resolved by ${facts.resolvedBy}`;
  const because = policy.includes('none') ? 'no incident needs one' : `${facts.highestSeverity}, ${by}${human === null ? ' with no human action' : ''}`;
  return { required: false, reason: `not required: ${because} ${setting}` };
}
