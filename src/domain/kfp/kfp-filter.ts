/**
 * A string value as it must be written into a filter so that it survives KFP's second
 * URL-unescape: after the gateway decodes the query string, the KFP server unescapes the filter
 * once more (Go's `url.QueryUnescape`), which would turn `+` into a space and decode (or reject)
 * `%XX`. Escaping `%` first, then `+`, makes that pass give the value back as written.
 */
function escapedForSecondUnescape(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('+', '%2B');
}

/**
 * The `filter` query value selecting KFP resources by display name, to be URL-encoded once like
 * any query value. Built with a JSON serializer so quotes and backslashes in names cannot break
 * it (the Go provider interpolates strings), with `%` and `+` escaped for the server's second
 * unescape.
 */
export function displayNameFilter(displayName: string): string {
  return JSON.stringify({
    predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: escapedForSecondUnescape(displayName) }],
  });
}
