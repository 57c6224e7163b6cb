import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { packageRoot } from './built-package.js';

/** The instructions of the Dockerfile's last stage, as `[keyword, arguments]`, comments and continuations resolved. */
async function finalStage(): Promise<Array<[string, string]>> {
  const text = await readFile(join(packageRoot, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return [keyword.toUpperCase(), rest.join(' ')];
    });
  const lastFrom = instructions.map(([keyword]) => keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

/** The USER in force at each instruction of `stage` (`undefined` before the first USER). */
function usersAt(stage: Array<[string, string]>): Array<string | undefined> {
  let user: string | undefined;
  return stage.map(([keyword, argument]) => (keyword === 'USER' ? (user = argument) : user));
}

describe('the Dockerfile', () => {
  it('runs the service as a numeric non-root uid:gid, which runAsNonRoot can verify (SPEC §7)', async () => {
    const stage = await finalStage();
    const users = usersAt(stage);
    const cmd = stage.findIndex(([keyword]) => keyword === 'CMD');
    expect(cmd).to.be.greaterThan(0);
    const user = users[cmd];
    expect(user).to.match(/^\d+:\d+$/);
    expect(Number(user!.split(':')[0])).to.be.greaterThan(0);
  });

  it('fills the compile cache it names as the user the service runs as, since Node keys the cache by uid', async () => {
    const stage = await finalStage();
    const users = usersAt(stage);
    const warmUp = stage.findIndex(([keyword, argument]) => keyword === 'RUN' && argument.includes('dist/warm-compile-cache.mjs'));
    const cmd = stage.findIndex(([keyword]) => keyword === 'CMD');
    expect(warmUp).to.be.greaterThan(0);
    expect(users[warmUp]).to.equal(users[cmd]);
    expect(stage).to.deep.include(['ENV', 'NODE_COMPILE_CACHE=/app/compile-cache']);
  });
});
