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
		out.end();
		expect(pipe.got).toEqual(['a\n']);
	});

	it('waits for a full buffer to drain, and learns of EPIPE while waiting', async () => {
		const pipe = new ClosedPipe(0, 4);
		const out = new LineOutput(pipe);
		await out.write('more than four bytes\n');
		expect(out.gone).toBe(true);
		out.end();
	});

	it('passes on other write errors', async () => {
		const pipe = new Writable({ highWaterMark: 4, write: (_c, _e, cb) => cb(Object.assign(new Error('disk full'), { code: 'ENOSPC' })) });
		const out = new LineOutput(pipe);
		await expect(out.write('more than four bytes\n')).rejects.toThrow(/disk full/);
	});
});
