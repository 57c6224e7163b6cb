import { InvalidInputError } from './errors.js';

/** A validated cron expression in both forms providers need. */
export interface CronExpression {
  /** Five fields: minute hour day-of-month month day-of-week (Vertex AI, the local provider). */
  readonly standard: string;
  /** Six fields with seconds first (Kubeflow recurring runs). */
  readonly withSeconds: string;
}

/**
 * Accepts a 5-field (standard) or 6-field (seconds first) cron expression. The standard form drops
 * the seconds field; the 6-field form prefixes `0` to a 5-field expression. Any other field count
 * is an {@link InvalidInputError}.
 */
export function parseCron(expression: string): CronExpression {
  const fields = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  if (fields.length === 5) return { standard: fields.join(' '), withSeconds: ['0', ...fields].join(' ') };
  if (fields.length === 6) return { standard: fields.slice(1).join(' '), withSeconds: fields.join(' ') };
  throw new InvalidInputError(
    `cron expression "${expression}" has ${fields.length} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`,
  );
}
