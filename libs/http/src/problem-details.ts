import type { FieldError } from '@fireline/errors';

/**
 * An RFC 9457 problem details body (`application/problem+json`), plus Fireline's members:
 * `code` (stable, machine-readable, e.g. `INCIDENT.ALREADY_RESOLVED`) and `errors` (field errors).
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_JSON = 'application/problem+json';

/** `INCIDENT.ALREADY_RESOLVED` -> `https://fireline.dev/problems/incident.already-resolved`. */
export function problemTypeOf(code: string): string {
  return `https://fireline.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}
