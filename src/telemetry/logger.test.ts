import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, isProductionBuild, type LogEntry } from './logger.js';

describe('createLogger', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('filters by level, merges structured fields and redacts secrets', () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({
      level: 'info',
      sink: (entry) => entries.push(entry),
      fields: { app: 'demo' },
      now: () => 5,
    });
    logger.debug('hidden');
    logger.info('model call', { modelId: 'gpt', apiKey: 'sk-abcdefghijklmnop' });
    logger.child({ runId: 'r1' }, 'agent').error('failed', { authorization: 'Bearer abcdefghijk' });
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'model call',
        fields: { app: 'demo', modelId: 'gpt', apiKey: '[REDACTED]' },
        time: 5,
        name: undefined,
      },
      {
        level: 'error',
        message: 'failed',
        fields: { app: 'demo', runId: 'r1', authorization: '[REDACTED]' },
        time: 5,
        name: 'agent',
      },
    ]);
  });

  it('is silent by default in production and reads the environment lazily', () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({ sink: (entry) => entries.push(entry) });
    vi.stubEnv('NODE_ENV', 'production');
    expect(isProductionBuild()).toBe(true);
    logger.error('nobody hears this');
    expect(logger.level).toBe('silent');
    expect(entries).toEqual([]);
    vi.stubEnv('NODE_ENV', 'development');
    const dev = createLogger({ sink: (entry) => entries.push(entry) });
    dev.info('visible');
    expect(dev.level).toBe('info');
    expect(entries.map((entry) => entry.message)).toEqual(['visible']);
  });
});
