import { quoteInput } from './client-text.js';

// Kubernetes' own limits (apimachinery's validation): a namespace is a DNS-1123 label, an
// object name a DNS-1123 subdomain. The operator's resources live under these rules, so a name
// that breaks them never comes from the operator and can be refused before any provider call.
const labelMaxLength = 63;
const subdomainMaxLength = 253;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `namespace` is not a Kubernetes namespace (a DNS-1123 label), or `undefined` when it is. */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length > labelMaxLength) return `namespace ${quoteInput(namespace)} is longer than ${labelMaxLength} characters`;
  if (!label.test(namespace)) {
    return `namespace ${quoteInput(namespace)} must consist of lower-case letters, digits and "-", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `name` is not a Kubernetes object name (a DNS-1123 subdomain), or `undefined` when it is. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length > subdomainMaxLength) return `name ${quoteInput(name)} is longer than ${subdomainMaxLength} characters`;
  if (!subdomain.test(name)) {
    return `name ${quoteInput(name)} must consist of lower-case letters, digits, "-" and ".", each "."-separated part starting and ending with a letter or digit`;
  }
  return undefined;
}
