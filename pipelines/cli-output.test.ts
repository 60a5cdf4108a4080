import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ClosedPipe } from '../tests/support/pipes';
import { LineOutput } from './cli-output';

describe('LineOutput', () => {
	it('stops writing, quietly, once the reader has gone', async () => {
		const pipe = new ClosedPipe(1);
		const out = new LineOutput(pipe);
		await out.write('a\n');
		await out.write('b\n');
		await new Promise((r) => setImmediate(r));
		expect(out.gone).toBe(true);
		await out.write('c\n');
		await out.end();
		expect(pipe.got).toEqual(['a\n']);
	});

	it('waits for a full buffer to drain, and learns of EPIPE while waiting', async () => {
		const pipe = new ClosedPipe(0, 4);
		const out = new LineOutput(pipe);
		await out.write('more than four bytes\n');
		expect(out.gone).toBe(true);
		await out.end();
	});

	it('gathers what is added into writes of 64 KB, and writes the rest at the end', async () => {
		const pipe = new ClosedPipe(Infinity);
		const out = new LineOutput(pipe);
		for (let i = 0; i < 20_000; i++) await out.add('路灯不亮\n');
		expect(pipe.got).toHaveLength(1);
		expect(pipe.got[0].length).toBeGreaterThanOrEqual(65_536);
		expect(pipe.got[0].length).toBeLessThan(65_536 + 5);
		await out.end();
		expect(pipe.got).toHaveLength(2);
		expect(pipe.got.join('')).toBe('路灯不亮\n'.repeat(20_000));
	});

	it('passes on other write errors', async () => {
		const pipe = new Writable({ highWaterMark: 4, write: (_c, _e, cb) => cb(Object.assign(new Error('disk full'), { code: 'ENOSPC' })) });
		const out = new LineOutput(pipe);
		await expect(out.write('more than four bytes\n')).rejects.toThrow(/disk full/);
	});
});
