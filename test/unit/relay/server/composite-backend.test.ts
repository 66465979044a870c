import { describe, expect, it } from 'vitest';
import type { RelayBackend } from '../../../../src/relay/backend.js';
import { RelayError, type OperationName } from '../../../../src/relay/protocol.js';
import { CompositeBackend } from '../../../../src/relay/server/composite-backend.js';

function fake(name: string, prefix: string, log: string[]): RelayBackend {
  return {
    name,
    supports: (op: OperationName) => op.startsWith(prefix),
    handle: async (op) => {
      log.push(`${name}:${op}`);
      return {} as never;
    },
    close: async () => {
      log.push(`${name}:closed`);
    },
  };
}

describe('CompositeBackend', () => {
  it('routes each operation to the backend that supports it and closes them all', async () => {
    const log: string[] = [];
    const c = new CompositeBackend([fake('windows', 'host.', log), fake('directory', 'directory.', log)]);
    expect(c.name).toBe('windows+directory');
    await c.handle('directory.computers', { names: ['HV01'] }, {});
    await c.handle('host.vms', { node: 'HV01' }, {});
    expect(c.supports('cluster.nodes')).toBe(false);
    await expect(c.handle('cluster.nodes', { cluster: 'CL01' }, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await c.close();
    expect(log).toEqual(['directory:directory.computers', 'windows:host.vms', 'windows:closed', 'directory:closed']);
  });

  it('closes every backend even when one fails to close, then reports the failure', async () => {
    const log: string[] = [];
    const broken: RelayBackend = { ...fake('broken', 'host.', log), close: async () => Promise.reject(new RelayError('INTERNAL', 'pool stuck')) };
    const c = new CompositeBackend([broken, fake('directory', 'directory.', log)]);
    await expect(c.close()).rejects.toThrow('pool stuck');
    expect(log).toEqual(['directory:closed']);
  });
});
