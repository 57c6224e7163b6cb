import { formatNamespacedName, type NamespacedName } from '../domain/namespaced-name.js';
import { kfpSettings } from './kfp-config.js';
import { localSettings } from './local-config.js';
import { commonSettings, type ProviderType, type ServiceConfig } from './service-config.js';
import { type AnySetting, type Env, parameterVariable, SettingsReader } from './setting.js';
import { vertexSettings } from './vertex-config.js';

/** What the start-up log shows in place of a secret value. */
export const redactedValue = '[redacted]';

// A value shorter than this is not scrubbed from log lines: it would also match ordinary words
// and numbers (a port, a date) all over the log. Secrets that short are not secrets.
const shortestScrubbedSecret = 6;

const settingsOfProvider: Readonly<Record<ProviderType, readonly AnySetting[]>> = {
  local: localSettings,
  vai: vertexSettings,
  kfp: kfpSettings,
};

const everySetting = new Map(
  [...commonSettings, ...localSettings, ...vertexSettings, ...kfpSettings].map((setting) => [setting.variable, setting]),
);

function isNamespacedName(value: unknown): value is NamespacedName {
  return typeof value === 'object' && value !== null && 'namespace' in value && 'name' in value;
}

function parsedUrl(value: unknown): URL | undefined {
  if (value instanceof URL) return value;
  return typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
}

/**
 * A URL as it may be logged: no userinfo, every query value redacted (a webhook's `?token=…`),
 * no fragment.
 */
export function redactUrl(url: URL): string {
  const names = url.search === '' ? [] : url.search.slice(1).split('&');
  const query = names.length === 0 ? '' : `?${names.map((pair) => `${pair.split('=', 1)[0]}=${redactedValue}`).join('&')}`;
  return `${url.protocol}//${url.host}${url.pathname}${query}`;
}

function shown(value: unknown): unknown {
  const url = parsedUrl(value);
  if (url) return redactUrl(url);
  return isNamespacedName(value) ? formatNamespacedName(value) : value;
}

// An unset setting shows its default: the value when it has one, else what `--help` prints (a
// default that depends on other settings), else null. A default is never a secret.
function describeSetting(setting: AnySetting, reader: SettingsReader): unknown {
  if (reader.isSet(setting)) return setting.secret ? redactedValue : shown(reader.read(setting));
  return setting.defaultValue !== undefined ? shown(setting.defaultValue) : (setting.defaultText ?? null);
}

/**
 * The configuration as the start-up log shows it: every setting of the provider kind by its
 * variable, with its value or default only when the settings table marks it as no secret; every
 * other `PARAMETERS_*` variable, unknown ones included, as `[redacted]`; URLs without userinfo and
 * query values. `env` is the environment the configuration was loaded from.
 */
export function describeConfig(config: ServiceConfig, env: Env): Record<string, unknown> {
  const reader = new SettingsReader(env, config.parameters);
  const settings: Record<string, unknown> = {};
  for (const setting of [...commonSettings, ...settingsOfProvider[config.providerType]]) {
    settings[setting.variable] = describeSetting(setting, reader);
  }
  for (const [key, value] of Object.entries(config.parameters)) {
    const variable = parameterVariable(key);
    if (variable in settings) continue;
    settings[variable] = everySetting.get(variable)?.secret === false ? shown(value) : redactedValue;
  }
  return { providerType: config.providerType, settings };
}

function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap((nested) => stringLeaves(nested));
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Each in the form the URL holds it and decoded, as either may end up in a message.
function urlSecrets(url: URL): string[] {
  const pairs = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair.includes('='));
  const query = pairs.map((pair) => pair.slice(pair.indexOf('=') + 1));
  return [url.username, url.password, ...query].flatMap((part) => [part, decoded(part)]);
}

/**
 * The configured values no log line may carry, for the logger to scrub: the values of every set
 * setting the table marks as secret and of every `PARAMETERS_*` variable it does not know, and
 * the userinfo and query values of every configured URL. Longest first, so that a secret
 * containing another is scrubbed whole.
 */
export function configSecrets(config: ServiceConfig, env: Env): readonly string[] {
  const reader = new SettingsReader(env, config.parameters);
  const secrets: string[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const setting = everySetting.get(variable);
    if (setting?.secret === true && reader.isSet(setting)) secrets.push(raw.trim(), ...stringLeaves(reader.read(setting)));
    else if (!setting && variable.toUpperCase().startsWith('PARAMETERS_')) secrets.push(raw.trim());
    const url = setting?.secret === false ? parsedUrl(raw.trim()) : undefined;
    if (url) secrets.push(...urlSecrets(url));
  }
  for (const [key, value] of Object.entries(config.parameters)) {
    if (everySetting.get(parameterVariable(key))?.secret !== false) secrets.push(...stringLeaves(value));
  }
  const unique = new Set(secrets.filter((secret) => secret.length >= shortestScrubbedSecret));
  return Object.freeze([...unique].sort((a, b) => b.length - a.length));
}
