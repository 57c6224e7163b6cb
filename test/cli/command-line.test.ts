import { expect } from 'chai';
import { type Command, parseCommandLine } from '../../src/cli/command-line.js';

describe('parseCommandLine', () => {
  const cases: ReadonlyArray<readonly [readonly string[], Command]> = [
    [[], { kind: 'serve' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['conformance'], { kind: 'conformance', args: [] }],
    [['conformance', 'http://127.0.0.1:8080', '--mutating'], { kind: 'conformance', args: ['http://127.0.0.1:8080', '--mutating'] }],
  ];
  for (const [args, expected] of cases) {
    it(`reads [${args.join(' ')}] as ${expected.kind}`, () => {
      expect(parseCommandLine(args)).to.deep.equal(expected);
    });
  }

  it('refuses an unknown flag and names it', () => {
    const command = parseCommandLine(['--verbose']);
    expect(command.kind).to.equal('usage-error');
    expect(command.kind === 'usage-error' && command.message).to.include('unknown option "--verbose"');
  });

  it('refuses an unknown command and names it', () => {
    const command = parseCommandLine(['serve']);
    expect(command.kind === 'usage-error' && command.message).to.include('unknown command "serve"');
  });

  it('refuses arguments after --help or --version instead of ignoring them', () => {
    const command = parseCommandLine(['--version', '--json']);
    expect(command.kind === 'usage-error' && command.message).to.include('"--json"');
  });
});
