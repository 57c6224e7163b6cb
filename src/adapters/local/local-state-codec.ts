import type { RunScheduleDefinition } from '../../domain/definitions.js';
import type { RunCompletionEvent } from '../../domain/run-completion-event.js';

// The local provider's state is JSON in its state file. Definitions and events are plain data
// except for their times, which JSON turns into text: these revive them, field by field, rather
// than by guessing from the look of a string (a parameter value may well look like a date).

/** How the payloads of a durable event source are written and read back. */
export interface PayloadCodec {
  /** The payload as stored text. */
  encode(payload: unknown): string;
  /** The payload read back; text that does not decode is handed on as it is, to be refused downstream. */
  decode(text: string): unknown;
}

function reviveTime(value: unknown): Date | undefined {
  return typeof value === 'string' ? new Date(value) : undefined;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads back a run schedule definition written with `JSON.stringify`. */
export function decodeStoredSchedule(text: string): RunScheduleDefinition {
  const stored = JSON.parse(text) as RunScheduleDefinition & { schedule: { startTime?: unknown; endTime?: unknown } };
  const startTime = reviveTime(stored.schedule.startTime);
  const endTime = reviveTime(stored.schedule.endTime);
  return {
    ...stored,
    schedule: { cron: stored.schedule.cron, ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}) },
  };
}

/** The local provider's finished runs, as its durable event source stores them. */
export const runCompletionEventCodec: PayloadCodec = Object.freeze({
  encode: (payload: unknown) => JSON.stringify(payload),
  decode: (text: string): unknown => {
    const stored = parseOrText(text);
    if (typeof stored !== 'object' || stored === null) return stored;
    const event = stored as RunCompletionEvent & { runStartTime?: unknown; runEndTime?: unknown };
    const runStartTime = reviveTime(event.runStartTime);
    const runEndTime = reviveTime(event.runEndTime);
    return { ...event, ...(runStartTime ? { runStartTime } : {}), ...(runEndTime ? { runEndTime } : {}) };
  },
});
