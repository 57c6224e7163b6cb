import { InvalidInputError } from './errors.js';

/**
 * A Kubernetes-style name with an optional namespace, as the operator sends it: `"ns/name"`,
 * `"name"`, or `""` for none.
 */
export interface NamespacedName {
  /** Empty when the name carries no namespace. */
  readonly namespace: string;
  /** Empty only for the empty namespaced name. */
  readonly name: string;
}

/** The namespaced name the operator sends as `""`. */
export const emptyNamespacedName: NamespacedName = Object.freeze({ namespace: '', name: '' });

/**
 * Parses the operator's string form. At most one `/` is allowed, and when there is one both sides
 * must be non-empty; anything else is an {@link InvalidInputError} naming the field.
 */
export function parseNamespacedName(text: string, field = 'name'): NamespacedName {
  if (text === '') return emptyNamespacedName;
  const parts = text.split('/');
  if (parts.length === 1) return { namespace: '', name: text };
  const [namespace, name] = parts;
  if (parts.length > 2 || !namespace || !name) {
    throw new InvalidInputError(`${field} "${text}" is not a valid namespaced name: expected "namespace/name" or "name"`);
  }
  return { namespace, name };
}

/** The operator's string form: `ns/name`, `name`, or `""`. */
export function formatNamespacedName(value: NamespacedName): string {
  return value.namespace ? `${value.namespace}/${value.name}` : value.name;
}

/** True for the namespaced name the operator sends as `""`. */
export function isEmptyNamespacedName(value: NamespacedName): boolean {
  return value.namespace === '' && value.name === '';
}

/**
 * The name a provider without namespaces gives the resource: `namespace-name`, or `name` alone
 * when there is no namespace.
 */
export function resourceName(value: NamespacedName): string {
  return value.namespace ? `${value.namespace}-${value.name}` : value.name;
}
