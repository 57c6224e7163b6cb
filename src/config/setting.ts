/**
 * The settings table mechanism: a setting names its variable, says what it means, prints its
 * default, and knows how its value is read. The same declarations drive the parser (through a
 * {@link SettingsReader}, which collects every problem instead of stopping at the first) and the
 * `--help` table ({@link formatSettingsTable}).
 */

/** Environment variables by name, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The type a known Provider parameter has in `spec.parameters`. */
export type ParameterType = 'string' | 'number' | 'boolean';

/** A decoded Provider parameter value. */
export type ParameterValue = string | number | boolean | null | readonly unknown[] | Readonly<Record<string, unknown>>;

/** One invalid or missing setting. */
export interface ConfigProblem {
  /** The environment variable at fault. */
  readonly variable: string;
  /** One line naming the variable and the expected form. */
  readonly message: string;
}

/** What a decoder is given: an environment variable's trimmed text, or a typed Provider parameter. */
export type SettingInput = string | number | boolean;

/** How a present value becomes a setting's value. */
export interface Decoder<T> {
  /** The expected form, as an error message states it ("a whole number from 0 to 65535"). */
  readonly form: string;
  /** The value, or `undefined` when the input does not have the form. */
  decode(input: SettingInput): T | undefined;
}

/** Where a `PARAMETERS_<KEY>` setting sits in the Provider's `spec.parameters`. */
export interface ProviderParameter {
  /** The camelCase key, as the Provider resource spells it. */
  readonly key: string;
  /** How its JSON text is decoded before the setting's own decoder sees it. */
  readonly type: ParameterType;
}

/**
 * One row of the settings table. `D` is the type of the default: the setting's own type when it
 * has one, `undefined` when an unset setting has no value.
 */
export interface Setting<T, D extends T | undefined = T | undefined> {
  /** The environment variable; `PARAMETERS_<KEY>` for a Provider parameter. */
  readonly variable: string;
  /** What it is for, one line of `--help`. */
  readonly doc: string;
  /** Reads a present value. */
  readonly decoder: Decoder<T>;
  /** The value of an unset setting. */
  readonly defaultValue: D;
  /** The default as `--help` prints it; absent when there is nothing to print. */
  readonly defaultText: string | undefined;
  /** Set for a Provider parameter. */
  readonly parameter: ProviderParameter | undefined;
  /**
   * Whether the value may be a credential, so that it is never written out: the start-up log shows
   * `[redacted]` instead, and the logger removes it from every line.
   */
  readonly secret: boolean;
}

/** A setting of any type, as tables list them. */
export type AnySetting = Setting<unknown, unknown>;

/** What a setting is declared with, besides its variable. */
export interface SettingSpec<T, D extends T | undefined> {
  readonly doc: string;
  readonly decoder: Decoder<T>;
  readonly defaultValue?: D;
  /** Overrides the printed default, which is otherwise the default value as text. */
  readonly defaultText?: string;
  /**
   * `false` for a setting known not to carry a credential, whose value the start-up log may show.
   * Left out, the setting counts as secret: a setting nobody has thought about is redacted.
   */
  readonly secret?: boolean;
}

function declare<T, D extends T | undefined>(
  variable: string,
  spec: SettingSpec<T, D>,
  parameter: ProviderParameter | undefined,
): Setting<T, D> {
  const printed = spec.defaultValue === undefined || spec.defaultValue === '' ? undefined : String(spec.defaultValue);
  return Object.freeze({
    variable,
    doc: spec.doc,
    decoder: spec.decoder,
    // Left out, the default is undefined, which is what D defaults to.
    defaultValue: spec.defaultValue as D,
    defaultText: spec.defaultText ?? printed,
    parameter,
    secret: spec.secret ?? true,
  });
}

/** A setting read from the environment variable `variable`. */
export function environmentSetting<T, D extends T | undefined = undefined>(variable: string, spec: SettingSpec<T, D>): Setting<T, D> {
  return declare(variable, spec, undefined);
}

/** A setting read from the Provider parameter `key`, i.e. the variable `PARAMETERS_<KEY>`. */
export function parameterSetting<T, D extends T | undefined = undefined>(
  key: string,
  type: ParameterType,
  spec: SettingSpec<T, D>,
): Setting<T, D> {
  return declare(parameterVariable(key), spec, { key, type });
}

/** The variable the operator sets for the Provider parameter `key`. */
export function parameterVariable(key: string): string {
  return `PARAMETERS_${key.toUpperCase()}`;
}

/**
 * Reads settings from one environment and its decoded Provider parameters, collecting every
 * problem; a setting that is invalid yields its default, so reading goes on and the caller can
 * report all problems at once.
 */
export class SettingsReader {
  readonly #env: Env;
  readonly #parameters: Readonly<Record<string, ParameterValue>>;
  readonly #problems: ConfigProblem[] = [];

  constructor(env: Env, parameters: Readonly<Record<string, ParameterValue>>, problems: readonly ConfigProblem[] = []) {
    this.#env = env;
    this.#parameters = parameters;
    for (const problem of problems) this.report(problem.variable, problem.message);
  }

  /** Every problem so far, one per variable, in the order they were found. */
  get problems(): readonly ConfigProblem[] {
    return this.#problems;
  }

  /** The setting's value; its default when unset, or when invalid (which is recorded). */
  read<T, D extends T | undefined>(setting: Setting<T, D>): T | D {
    const input = this.#input(setting);
    if (input === undefined) return setting.defaultValue;
    const value = setting.decoder.decode(input);
    if (value !== undefined) return value;
    this.report(setting.variable, `${setting.variable}="${String(input)}" must be ${setting.decoder.form}`);
    return setting.defaultValue;
  }

  /** Like {@link read}, but an unset setting is a problem; `neededBy` says who needs it ("for the vai provider"). */
  require<T, D extends T | undefined>(setting: Setting<T, D>, neededBy: string): T | D {
    if (this.#input(setting) === undefined) {
      this.report(setting.variable, `${setting.variable} is required ${neededBy}: ${setting.decoder.form}`);
    }
    return this.read(setting);
  }

  /** Whether the setting was given a value (a blank one counts as not given). */
  isSet(setting: AnySetting): boolean {
    return this.#input(setting) !== undefined;
  }

  /** Records a problem found across settings; only the first problem of a variable is kept. */
  report(variable: string, message: string): void {
    if (!this.#problems.some((problem) => problem.variable === variable)) this.#problems.push({ variable, message });
  }

  // Empty and blank values count as unset, so a variable templated to "" means the default.
  #input(setting: Setting<unknown, unknown>): SettingInput | undefined {
    if (setting.parameter) {
      const value = this.#parameters[setting.parameter.key];
      if (typeof value === 'string') return value.trim() === '' ? undefined : value;
      return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
    }
    const raw = this.#env[setting.variable]?.trim();
    return raw === '' ? undefined : raw;
  }
}

/** A titled group of rows in `--help`. */
export interface SettingsSection {
  readonly title: string;
  readonly settings: readonly AnySetting[];
}

/** The `--help` lines of the given sections: each setting with its meaning and printed default. */
export function formatSettingsTable(sections: readonly SettingsSection[]): string[] {
  const width = Math.max(...sections.flatMap((section) => section.settings.map((setting) => setting.variable.length)));
  return sections.flatMap((section) => [
    '',
    `${section.title}:`,
    ...section.settings.map(
      (setting) =>
        `  ${setting.variable.padEnd(width)}  ${setting.doc}${setting.defaultText === undefined ? '' : ` (default ${setting.defaultText})`}`,
    ),
  ]);
}
