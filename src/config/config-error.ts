import type { ConfigProblem } from './setting.js';

/**
 * Every invalid or missing setting found at start-up, at once: the message has one line per
 * variable, each naming the variable and the expected form.
 */
export class ConfigError extends Error {
  /** The problems, one per variable, in the order they were found. */
  readonly problems: readonly ConfigProblem[];
  /** The variable of the first problem. */
  readonly variable: string;

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
    this.variable = problems[0]?.variable ?? '';
  }
}
