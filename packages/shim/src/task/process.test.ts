import { describe, expect, it } from 'vitest';
import { TaskProcess } from './process.js';

const stdio = { stdin: '', stdout: '', stderr: '', terminal: false };

describe('TaskProcess', () => {
  it('refuses operations its state does not allow, with containerd messages', () => {
    const p = new TaskProcess('', stdio);
    expect(() => p.mustBe('pause', 'running')).toThrow('cannot pause task in created state');
    p.state = 'running';
    expect(() => p.mustBe('start', 'created')).toThrow('cannot start a running process');
    expect(() => p.mustBe('delete', 'created', 'stopped')).toThrow(expect.objectContaining({ code: 'FailedPrecondition', message: 'cannot delete a running process' }));
    p.state = 'deleted';
    expect(() => p.mustBe('start', 'created')).toThrow(expect.objectContaining({ code: 'NotFound' }));
  });

  it('reports one exit to every waiter, also to late ones; a cancelled wait stops waiting', async () => {
    const p = new TaskProcess('e1', stdio);
    p.state = 'running';
    const early = p.wait();
    const ac = new AbortController();
    const cancelled = p.wait(ac.signal);
    ac.abort(new Error('client went away'));
    await expect(cancelled).rejects.toThrow('client went away');
    const at = new Date();
    p.markExited({ status: 3, at });
    p.markExited({ status: 9, at }); // idempotent
    expect(await early).toEqual({ status: 3, at });
    expect(await p.wait()).toEqual({ status: 3, at });
    expect(p.state).toBe('stopped');
  });

  it('holds what must follow the start event until the start is done', () => {
    const p = new TaskProcess('', stdio);
    const order: string[] = [];
    p.starting = true;
    p.whenStarted(() => order.push('exit event'));
    order.push('start event');
    p.finishStart();
    p.whenStarted(() => order.push('later'));
    expect(order).toEqual(['start event', 'exit event', 'later']);
  });
});
