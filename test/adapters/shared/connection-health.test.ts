import { expect } from 'chai';
import { ConnectionHealth, type ConnectionHealthOptions } from '../../../src/adapters/shared/connection-health.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

describe('ConnectionHealth', () => {
  let now: number;
  let logger: RecordingLogger;
  let failures: string[];
  let health: ConnectionHealth;

  function tracker(options: Partial<ConnectionHealthOptions> = {}): ConnectionHealth {
    return new ConnectionHealth({
      name: 'Pub/Sub subscription s',
      budgetMs: 60_000,
      logger,
      onGiveUp: (failure) => failures.push(failure),
      now: () => now,
      ...options,
    });
  }

  beforeEach(() => {
    now = 1_000_000;
    logger = new RecordingLogger();
    failures = [];
    health = tracker();
  });

  afterEach(() => health.close());

  it('is not connected before the first connection, which is no reconnection', () => {
    expect(health.health()).to.deep.equal({ connected: false, reconnects: 0 });
    health.connected();
    expect(health.health()).to.deep.equal({ connected: true, reconnects: 0 });
    expect(logger.lines).to.deep.equal([]);
  });

  it('reports a loss with its latest reason, logs it once, and counts the way back', () => {
    health.connected();
    health.lost('14 UNAVAILABLE');
    now += 2500;
    health.lost('5 NOT_FOUND');
    expect(health.health()).to.deep.equal({ connected: false, reason: '5 NOT_FOUND', reconnects: 0 });
    health.connected();
    health.connected();
    expect(health.health()).to.deep.equal({ connected: true, reconnects: 1 });
    expect(logger.lines.map((line) => [line.level, line.message, line.fields])).to.deep.equal([
      ['warn', 'Pub/Sub subscription s lost; reconnecting', { reason: '14 UNAVAILABLE', reconnectBudgetMs: 60_000 }],
      ['info', 'Pub/Sub subscription s reconnected', { downForMs: 2500 }],
    ]);
  });

  it('gives up once lost for longer than the budget, counted from the first loss, naming what and how long', async () => {
    health.close();
    health = tracker({ budgetMs: 30 });
    health.connected();
    health.lost('14 UNAVAILABLE');
    now += 31_000;
    await eventually('the give-up', () => failures.length === 1);
    const failure = 'Pub/Sub subscription s unreachable for 31 s, beyond the reconnect budget of 30 ms: 14 UNAVAILABLE';
    expect(failures).to.deep.equal([failure]);
    expect(health.failed).to.equal(true);
    expect(health.health()).to.deep.equal({ connected: false, reason: '14 UNAVAILABLE', failure, reconnects: 0 });
    expect(logger.at('error')).to.have.length(1);
    // Given up is final: nothing it hears afterwards changes it.
    health.connected();
    health.lost('again');
    expect(health.health()).to.include({ connected: false, failure });
  });

  it('does not give up while connected again within the budget, nor after close', async () => {
    health.close();
    health = tracker({ budgetMs: 20 });
    health.connected();
    health.lost('blip');
    health.connected();
    health.lost('stopping');
    health.close();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(failures).to.deep.equal([]);
  });

  it('refuses a budget that is not positive', () => {
    expect(() => tracker({ budgetMs: 0 })).to.throw(RangeError, 'budgetMs');
  });
});
