import { quoteInput } from './client-text.js';
import { InvalidInputError } from './errors.js';

/** A validated cron expression in both forms providers need. */
export interface CronExpression {
  /** Five fields: minute hour day-of-month month day-of-week (Vertex AI, the local provider). */
  readonly standard: string;
  /** Six fields with seconds first (Kubeflow recurring runs). */
  readonly withSeconds: string;
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for values, in order from `min` (months, weekdays). */
  readonly names?: readonly string[];
  /** `?` ("no specific value") is accepted in the day fields only, as Vertex AI and KFP do. */
  readonly allowsAny?: boolean;
}

// The six fields in their 6-field order. Weekday 7 is Sunday as well as 0, as in Vixie cron.
const fields: readonly CronField[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, allowsAny: true },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], allowsAny: true },
];

function value(text: string, field: CronField): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const number = Number(text);
    return number >= field.min && number <= field.max ? number : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : field.min + index;
}

// One comma-separated element: `*`, `?`, `a`, `a-b`, each optionally with `/step`.
function elementProblem(element: string, field: CronField): string | undefined {
  const [range = '', step, extra] = element.split('/');
  if (extra !== undefined) return 'more than one "/"';
  if (step !== undefined && !(/^\d{1,2}$/.test(step) && Number(step) >= 1))
    return `step ${quoteInput(step, 40)} is not a whole number from 1`;
  if (range === '*') return undefined;
  if (range === '?') return field.allowsAny && step === undefined ? undefined : '"?" is only allowed alone in the day fields';
  const [from = '', to, more] = range.split('-');
  if (more !== undefined) return `range ${quoteInput(range, 40)} has more than one "-"`;
  const low = value(from, field);
  const high = to === undefined ? low : value(to, field);
  if (low === undefined || high === undefined) {
    return `${quoteInput(range, 40)} is not a value from ${field.min} to ${field.max}${field.names ? ` or a name ${field.names[0]}…` : ''}`;
  }
  if (high < low) return `range ${quoteInput(range, 40)} ends before it starts`;
  return undefined;
}

function checkFields(values: readonly string[], expression: string): void {
  const offset = fields.length - values.length;
  values.forEach((text, index) => {
    const field = fields[index + offset]!;
    const problem = text
      .split(',')
      .map((element) => (element === '' ? 'an empty list element' : elementProblem(element, field)))
      .find((found) => found !== undefined);
    if (problem !== undefined) {
      throw new InvalidInputError(
        `cron expression ${quoteInput(expression)}: the ${field.name} field ${quoteInput(text, 40)} is invalid: ${problem}`,
      );
    }
  });
}

/**
 * Accepts a 5-field (standard) or 6-field (seconds first) cron expression whose every field
 * holds values a cron parser accepts (numbers in range, month and weekday names, `*`, ranges,
 * lists and steps, `?` in the day fields). The standard form drops the seconds field; the
 * 6-field form prefixes `0` to a 5-field expression. Anything else is an
 * {@link InvalidInputError}, raised before any provider sees the schedule, so every provider
 * refuses the same expressions.
 */
export function parseCron(expression: string): CronExpression {
  const values = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  if (values.length !== 5 && values.length !== 6) {
    throw new InvalidInputError(
      `cron expression ${quoteInput(expression)} has ${values.length} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`,
    );
  }
  checkFields(values, expression);
  if (values.length === 5) return { standard: values.join(' '), withSeconds: ['0', ...values].join(' ') };
  return { standard: values.slice(1).join(' '), withSeconds: values.join(' ') };
}
