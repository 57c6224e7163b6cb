import { quoteInput } from './client-text.js';
import { InvalidInputError } from './errors.js';
import { namespaceProblem, objectNameProblem } from './kubernetes-name.js';

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
 * must be non-empty; the namespace must be a Kubernetes namespace and the name a Kubernetes
 * object name (the operator names its own resources this way). Anything else is an
 * {@link InvalidInputError} naming the field and quoting at most the start of the text.
 */
export function parseNamespacedName(text: string, field = 'name'): NamespacedName {
  if (text === '') return emptyNamespacedName;
  const parts = text.split('/');
  const [first = '', second = ''] = parts;
  if (parts.length > 2 || (parts.length === 2 && (first === '' || second === ''))) {
    throw new InvalidInputError(`${field} ${quoteInput(text)} is not a valid namespaced name: expected "namespace/name" or "name"`);
  }
  const value = parts.length === 1 ? { namespace: '', name: first } : { namespace: first, name: second };
  const problem = (value.namespace === '' ? undefined : namespaceProblem(value.namespace)) ?? objectNameProblem(value.name);
  if (problem !== undefined) throw new InvalidInputError(`${field}: ${problem}`);
  return value;
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
