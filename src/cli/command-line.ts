/** What the command line asks the service executable to do. */
export type Command =
  /** Run the provider service (no arguments). */
  | { readonly kind: 'serve' }
  /** Print the configuration table. */
  | { readonly kind: 'help' }
  /** Print the package version. */
  | { readonly kind: 'version' }
  /** Check a running provider service against the operator's contract; `args` follow the sub-command. */
  | { readonly kind: 'conformance'; readonly args: readonly string[] }
  /** Arguments the executable does not understand; `message` names them. */
  | { readonly kind: 'usage-error'; readonly message: string };

/** The exit code of a command line that could not be understood, as most Unix tools use it. */
export const usageExitCode = 2;

/**
 * Reads the executable's arguments (without `node` and the script). Anything not understood is
 * a usage error rather than ignored: a mistyped flag that silently starts the service on its
 * default ports is worse than a refusal.
 */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args;
  if (first === undefined) return { kind: 'serve' };
  if (first === 'conformance') return { kind: 'conformance', args: rest };
  if (rest.length > 0) return { kind: 'usage-error', message: `unexpected argument "${rest[0]}" after ${first}` };
  switch (first) {
    case '--help':
    case '-h':
    case 'help':
      return { kind: 'help' };
    case '--version':
    case '-v':
      return { kind: 'version' };
    default:
      return {
        kind: 'usage-error',
        message: `unknown ${first.startsWith('-') ? 'option' : 'command'} "${first}"; expected --help, --version or conformance <base-url>`,
      };
  }
}
