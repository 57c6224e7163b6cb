import { isJsonObject } from '../json-fields.js';

/**
 * A readable message from a KFP error body, whichever of its shapes it has: a `google.rpc.Status`
 * (`{code, message, details}`, KFP ≤ 2.5 adds `error`), an upload handler's
 * `{error_message, error_details}`, or plain text (some KFP 2.15+ validation failures).
 */
export function kfpErrorMessage(bodyText: string): string {
  const text = bodyText.trim();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isJsonObject(body)) return text;
  const field = (key: string): string => (typeof body[key] === 'string' ? body[key].trim() : '');
  const upload = [field('error_message'), field('error_details')].filter((part) => part !== '');
  if (upload.length > 0) return [...new Set(upload)].join(': ');
  return field('message') || field('error') || text;
}
