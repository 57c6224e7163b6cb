import { type NamespacedName, parseNamespacedName } from '../domain/namespaced-name.js';
import type { Decoder, SettingInput } from './setting.js';

/** Any text; `form` says what the text should be, for the message when a required one is missing. */
export function text(form: string): Decoder<string> {
  return { form, decode: (input) => (typeof input === 'string' ? input : undefined) };
}

/**
 * A whole number from `min` to `max`: decimal digits in the environment, a JSON number in a
 * Provider parameter (so `1e3` is 1000 there, as the parameter decoding has it).
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Decoder<number> {
  return {
    form: max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`,
    decode: (input) => {
      const value = typeof input === 'number' ? input : typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : Number.NaN;
      return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
    },
  };
}

/** One of a closed set of words. */
export function oneOf<T extends string>(allowed: readonly T[]): Decoder<T> {
  return {
    form: `one of ${allowed.join(', ')}`,
    decode: (input) => ((allowed as readonly SettingInput[]).includes(input) ? (input as T) : undefined),
  };
}

/** `true` or `false` (a boolean Provider parameter, or the words in the environment). */
export const flag: Decoder<boolean> = {
  form: 'true or false',
  decode: (input) => (typeof input === 'boolean' ? input : input === 'true' ? true : input === 'false' ? false : undefined),
};

function parseHttpUrl(input: SettingInput): URL | undefined {
  if (typeof input !== 'string' || !URL.canParse(input)) return undefined;
  const url = new URL(input);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** An `http://` or `https://` URL, parsed. */
export const httpUrl: Decoder<URL> = { form: 'an http:// or https:// URL', decode: parseHttpUrl };

/** An `http://` or `https://` URL, kept as written (a base URL that paths are appended to). */
export const httpUrlText: Decoder<string> = {
  form: httpUrl.form,
  decode: (input) => (parseHttpUrl(input) ? (input as string) : undefined),
};

/** A Kubernetes namespaced name, `namespace/name` or `name`. */
export const namespacedName: Decoder<NamespacedName> = {
  form: '"namespace/name" or "name"',
  decode: (input) => {
    try {
      return typeof input === 'string' ? parseNamespacedName(input) : undefined;
    } catch {
      return undefined;
    }
  },
};
