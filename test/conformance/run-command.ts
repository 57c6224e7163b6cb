import { Writable } from 'node:stream';
import { conformanceCommand } from '../../src/conformance/conformance-command.js';

/** What one run of the command printed and returned. */
export interface CommandRun {
  readonly code: number;
  readonly output: string;
  /** The names of the rules reported as FAIL, in order. */
  readonly failing: readonly string[];
  /** The names of the rules reported as PASS, in order. */
  readonly passing: readonly string[];
  /** The last line: the summary. */
  readonly summary: string;
}

function rulesWith(output: string, outcome: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${outcome} `))
    .map((line) => line.split(/\s+/)[1] ?? '');
}

/** Runs `conformance` with `argv`, capturing what it writes. */
export async function runCommand(argv: readonly string[]): Promise<CommandRun> {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const code = await conformanceCommand(argv, out);
  const output = chunks.join('');
  const lines = output.trimEnd().split('\n');
  return { code, output, failing: rulesWith(output, 'FAIL'), passing: rulesWith(output, 'PASS'), summary: lines.at(-1) ?? '' };
}
