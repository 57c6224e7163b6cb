/**
 * The `filter` query value selecting KFP resources by display name. Built with a JSON serializer
 * so quotes and backslashes in names cannot break it (the Go provider interpolates strings).
 */
export function displayNameFilter(displayName: string): string {
  return JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: displayName }] });
}
