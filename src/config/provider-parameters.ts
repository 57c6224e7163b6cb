/**
 * The Provider resource's `spec.parameters` as the operator passes them: one `PARAMETERS_<KEY>`
 * variable per key, the key upper-cased, the value the raw string for strings and JSON text for
 * everything else. Known keys (the parameter rows of the settings table) get their camelCase
 * spelling and type back; unknown keys keep the lower-cased name and are decoded as JSON when
 * that yields a non-string.
 */
import { kfpSettings } from './kfp-config.js';
import { localSettings } from './local-config.js';
import type { AnySetting, ConfigProblem, Env, ParameterType, ParameterValue, ProviderParameter } from './setting.js';
import { vertexSettings } from './vertex-config.js';

const prefix = 'PARAMETERS_';

const parameterSettings = [...localSettings, ...vertexSettings, ...kfpSettings].filter(
  (setting): setting is AnySetting & { parameter: ProviderParameter } => setting.parameter !== undefined,
);
const knownByUpperCase = new Map(parameterSettings.map((setting) => [setting.parameter.key.toUpperCase(), setting]));

/** The parameters this service knows, with their types and what they are for. */
export const knownParameters: Readonly<Record<string, { readonly type: ParameterType; readonly doc: string }>> = Object.freeze(
  Object.fromEntries(parameterSettings.map((setting) => [setting.parameter.key, { type: setting.parameter.type, doc: setting.doc }])),
);

/** Every `PARAMETERS_<KEY>` decoded, and the known ones whose text does not have their type. */
export interface DecodedParameters {
  /** camelCase keys for known parameters, lower-cased ones for the rest. */
  readonly parameters: Record<string, ParameterValue>;
  /** One per known parameter that could not be decoded; it is left out of `parameters`. */
  readonly problems: readonly ConfigProblem[];
}

function decodeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function decodeUnknown(raw: string): ParameterValue {
  const value = decodeJson(raw);
  return value === undefined || typeof value === 'string' ? raw : (value as ParameterValue);
}

/** Collects every `PARAMETERS_<KEY>` variable into a camelCase-keyed map of typed values. */
export function decodeProviderParameters(env: Env): DecodedParameters {
  const parameters: Record<string, ParameterValue> = {};
  const problems: ConfigProblem[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.toUpperCase().startsWith(prefix) || raw === undefined) continue;
    const upperKey = variable.slice(prefix.length).toUpperCase();
    const known = knownByUpperCase.get(upperKey);
    if (!known) {
      parameters[upperKey.toLowerCase()] = decodeUnknown(raw);
      continue;
    }
    const value = known.parameter.type === 'string' ? raw : decodeJson(raw);
    if (typeof value === known.parameter.type) parameters[known.parameter.key] = value as ParameterValue;
    else problems.push({ variable, message: `${variable}="${raw}" must be ${known.decoder.form}` });
  }
  return { parameters, problems };
}

/**
 * Like {@link decodeProviderParameters}, for a caller that wants the values only: throws an
 * error with one line per parameter that could not be decoded.
 */
export function readProviderParameters(env: Env): Record<string, ParameterValue> {
  const { parameters, problems } = decodeProviderParameters(env);
  if (problems.length > 0) throw new Error(problems.map((problem) => problem.message).join('\n'));
  return parameters;
}
