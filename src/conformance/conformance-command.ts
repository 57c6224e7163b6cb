import { parseArgs } from 'node:util';
import { formatConformanceResult, formatConformanceSummary } from './format-conformance-report.js';
import {
  type ConformanceOptions,
  defaultConformanceTimeoutMs,
  listConformanceRules,
  runConformance,
  validateConformanceOptions,
} from './run-conformance.js';

const usage = 'Usage: kfp-provider-service conformance [--mutating] [--body-limit <size>] [--timeout <ms>] [--only <rules>] <base-url>';

const about = `Checks a running provider service against the KFP Operator's contract over HTTP: every rule
of SPEC §2 and §6 a black box can check, against any implementation in any language. Prints
one line per rule (PASS, FAIL or SKIP, the request sent and the answer received) and a closing
"N passed, N failed" line. SKIP means the service gave nothing this rule can judge (no DELETE
error to inspect, say). Exits 0 when no rule fails, 1 when one does, 2 for a usage error.

What the default rules send, and why they are safe against a production backend:
  - health probes (GET /livez, GET /readyz) and a GET of an unknown route;
  - requests a conforming service refuses before it calls its backend: an unknown type, a
    wrong method, bodies that are not JSON, not application/json or over the limit, invalid
    definitions, a malformed escape in an id, an update of a run (501);
  - DELETEs of pipeline and experiment ids that never existed.
  Every name sent is in the namespace kfp-conformance and carries a random token, so no id
  names a real object. The refused runs and schedules name a pipeline that does not exist, so
  even a service that wrongly accepted one could not start anything; only a service that skips
  validation altogether could store one of the refused pipelines (its name is empty).

--mutating adds rules that create, update and delete real resources: a pipeline, an
experiment, and a run schedule (once a year, ending within the hour), named
kfp-conformance/…-<token> and deleted again. Use it against a local or test backend.

Options:
  --mutating           also run the rules that create real backend resources
  --body-limit <size>  the service's body limit, in bytes or with KiB, MiB or GiB; the oversized
                       request is one byte over it (default 32MiB)
  --timeout <ms>       how long one request may go without progress (default ${defaultConformanceTimeoutMs})
  --only <rules>       run only these rules (comma-separated names)
  -h, --help           show this help`;

class UsageError extends Error {}

const sizeUnits: Readonly<Record<string, number>> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function parseSize(text: string): number {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/.exec(text.trim());
  const bytes = match ? Number(match[1]) * (sizeUnits[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`--body-limit "${text}" is not a size; expected bytes such as 33554432 or 32MiB`);
  return bytes;
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || !(ms > 0)) throw new UsageError(`--timeout "${text}" is not a positive number of milliseconds`);
  return ms;
}

function formatHelp(): string {
  const rules = listConformanceRules();
  const width = Math.max(...rules.map((rule) => rule.name.length));
  const lines = rules.map((rule) => `  ${rule.name.padEnd(width)}  ${rule.mutating ? '[mutating] ' : ''}${rule.statement}`);
  return `${usage}\n\n${about}\n\nRules, in the order they run:\n${lines.join('\n')}\n`;
}

type ParsedCommand = { readonly help: true } | { readonly help: false; readonly options: ConformanceOptions };

function parseCommand(argv: readonly string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        mutating: { type: 'boolean' },
        'body-limit': { type: 'string' },
        timeout: { type: 'string' },
        only: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'the base URL of the service is missing' : `one base URL expected, got ${positionals.length}`,
    );
  }
  const only = values.only?.flatMap((list) => list.split(',').map((name) => name.trim())).filter((name) => name !== '');
  const options: ConformanceOptions = {
    baseUrl: positionals[0] ?? '',
    mutating: values.mutating ?? false,
    ...(values['body-limit'] !== undefined ? { bodyLimitBytes: parseSize(values['body-limit']) } : {}),
    ...(values.timeout !== undefined ? { timeoutMs: parseTimeout(values.timeout) } : {}),
    ...(only !== undefined ? { only } : {}),
  };
  try {
    validateConformanceOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { help: false, options };
}

/**
 * The `kfp-provider-service conformance <base-url>` command: runs the operator's contract
 * against the service at `<base-url>` and writes one line per rule to `out` as each is
 * decided, then the summary line. Resolves to the exit code: 0 when no rule failed, 1 when one
 * did, 2 for a usage error (no or a malformed URL, an unknown option or rule).
 */
export async function conformanceCommand(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  let options: ConformanceOptions;
  try {
    const command = parseCommand(argv);
    if (command.help) {
      out.write(formatHelp());
      return 0;
    }
    options = command.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.write(`conformance: ${error.message}\n${usage}\nRun with --help for the rules and what they send.\n`);
    return 2;
  }
  const mode = options.mutating ? 'default and mutating rules' : 'default rules; --mutating adds those that create resources';
  out.write(`conformance of ${String(options.baseUrl)} (${mode})\n`);
  const report = await runConformance({ ...options, onResult: (result) => out.write(`${formatConformanceResult(result)}\n`) });
  out.write(`${formatConformanceSummary(report)}\n`);
  return report.failed === 0 ? 0 : 1;
}
