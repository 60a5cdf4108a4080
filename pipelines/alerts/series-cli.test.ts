import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detectSeriesCli, parseSeriesCsv, parseTimestamp } from './series-cli';
import { ClosedPipe } from '../../tests/support/pipes';

const dir = mkdtempSync(join(tmpdir(), 'minqing-series-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Collect extends Writable {
	text = '';
	override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void) {
		this.text += chunk.toString();
		cb();
	}
}

let stderr = '';
beforeEach(() => {
	stderr = '';
	vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
		stderr += s.toString();
		return true;
	});
});
afterEach(() => vi.restoreAllMocks());

async function run(content: string | null, name = 'series.csv'): Promise<{ code: number; out: string }> {
	const path = join(dir, name);
	if (content !== null) writeFileSync(path, content);
	const out = new Collect();
	const code = await detectSeriesCli(path, out);
	return { code, out: out.text };
}

describe('parseTimestamp', () => {
	it('reads naive timestamps as Asia/Shanghai wall time and zoned ISO as given', () => {
		expect(parseTimestamp('2014-07-01 00:30:00')).toBe(Date.parse('2014-07-01T00:30:00+08:00'));
		expect(parseTimestamp('2014-07-01T00:30')).toBe(Date.parse('2014-07-01T00:30:00+08:00'));
		expect(parseTimestamp('2014-07-01')).toBe(Date.parse('2014-07-01T00:00:00+08:00'));
		expect(parseTimestamp('2013-12-15 07:00:00.000000')).toBe(Date.parse('2013-12-15T07:00:00+08:00'));
		expect(parseTimestamp('2014-07-01T00:30:00Z')).toBe(Date.parse('2014-07-01T00:30:00Z'));
		expect(parseTimestamp('2014-07-01T00:30:00+0200')).toBe(Date.parse('2014-07-01T00:30:00+02:00'));
		// a space before a zoned time, as pandas and PostgreSQL write it, and PostgreSQL's short offset
		expect(parseTimestamp('2025-01-06 00:00:00+00:00')).toBe(Date.parse('2025-01-06T00:00:00Z'));
		expect(parseTimestamp('2025-01-06 08:00:00+08')).toBe(Date.parse('2025-01-06T00:00:00Z'));
		expect(parseTimestamp('2025-01-06 08:00:00.5+0800')).toBe(Date.parse('2025-01-06T00:00:00.5Z'));
		expect(parseTimestamp('2025-01-06 08:00:00+8')).toBeNaN();
		expect(parseTimestamp('2014-02-30 00:00:00')).toBeNaN();
		expect(parseTimestamp('yesterday')).toBeNaN();
	});
	it('refuses dates and times that do not exist, with a zone as without one', () => {
		for (const zone of ['', 'Z', '+08:00', '+0800', '+08']) {
			const sep = zone ? 'T' : ' ';
			expect(parseTimestamp(`2026-02-30${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-02-29${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2100-02-29${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-04-31${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-13-01${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-00-01${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-01-00${sep}00:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-01-01${sep}24:00:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-01-01${sep}25:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-01-01${sep}00:60:00${zone}`)).toBeNaN();
			expect(parseTimestamp(`2026-01-01${sep}00:00:60${zone}`)).toBeNaN();
			// leap days that exist
			const iso = zone === 'Z' ? 'Z' : '+08:00';
			expect(parseTimestamp(`2024-02-29${sep}00:00:00${zone}`)).toBe(Date.parse(`2024-02-29T00:00:00${iso}`));
			expect(parseTimestamp(`2000-02-29${sep}23:59:59${zone}`)).toBe(Date.parse(`2000-02-29T23:59:59${iso}`));
		}
		// offsets: hours up to 14, minutes below 60
		expect(parseTimestamp('2026-01-01T00:00:00+25:00')).toBeNaN();
		expect(parseTimestamp('2026-01-01T00:00:00+14:30')).toBeNaN();
		expect(parseTimestamp('2026-01-01T00:00:00+15')).toBeNaN();
		expect(parseTimestamp('2026-01-01T00:00:00-1500')).toBeNaN();
		expect(parseTimestamp('2026-01-01T00:00:00+08:60')).toBeNaN();
		expect(parseTimestamp('2026-01-01T00:00:00+14:00')).toBe(Date.parse('2026-01-01T00:00:00+14:00'));
		expect(parseTimestamp('2026-01-01T00:00:00-12:00')).toBe(Date.parse('2026-01-01T00:00:00-12:00'));
		expect(parseTimestamp('2026-01-01T00:00:00+05:45')).toBe(Date.parse('2026-01-01T00:00:00+05:45'));
		expect(parseTimestamp('2026-01-01 05:30:00-0330')).toBe(Date.parse('2026-01-01T05:30:00-03:30'));
		expect(parseTimestamp('2026-01-01t00:00:00.25z')).toBe(Date.parse('2026-01-01T00:00:00.250Z'));
	});
});

describe('detect-series', () => {
	it('writes timestamp,value,score,alert for every row, header optional, and flags a spike', async () => {
		const rows: string[] = [];
		for (let i = 0; i < 800; i++) {
			const t = new Date(Date.parse('2025-03-01T00:00:00Z') + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
			rows.push(`${t},${i === 700 ? 40 : (i * 7) % 3}`);
		}
		for (const content of [['timestamp,value', ...rows].join('\n') + '\n', rows.join('\r\n')]) {
			const { code, out } = await run(content);
			expect(code).toBe(0);
			const lines = out.trim().split('\n');
			expect(lines[0]).toBe('timestamp,value,score,alert');
			expect(lines).toHaveLength(801);
			expect(lines[1]).toMatch(/^2025-03-01 00:00:00,0,\d\.\d{4},0$/);
			expect(lines[701]).toMatch(/^2025-03-30 04:00:00,40,\d\.\d{4},1$/);
			expect(lines.slice(1).filter((l) => l.endsWith(',1'))).toHaveLength(1);
		}
	});

	it('keeps empty values as missing rows', async () => {
		const { code, out } = await run('timestamp,value\n2025-01-01 00:00:00,1\n2025-01-01 01:00:00,\n2025-01-01 02:00:00,NaN\n');
		expect(code).toBe(0);
		expect(out.split('\n').slice(1, 4)).toEqual([
			'2025-01-01 00:00:00,1,0.0000,0',
			'2025-01-01 01:00:00,,0.0000,0',
			'2025-01-01 02:00:00,,0.0000,0'
		]);
	});

	it('an impossible date with a zone is refused with its line, not rolled over onto a later row', async () => {
		const r = await run('2026-02-28T00:00:00Z,1\n2026-02-30T00:00:00Z,5\n2026-03-02T00:00:00Z,9\n');
		expect(r.code).toBe(1);
		expect(r.out).toBe('');
		expect(stderr).toContain('第 2 行的时间无法识别：2026-02-30T00:00:00Z');
		expect(stderr).toContain('line 2: unparseable timestamp "2026-02-30T00:00:00Z" (day 30 out of range: 2026-02 has 28 days)');
		stderr = '';
		const o = await run('2026-02-28 00:00:00+25:00,1\n');
		expect(o.code).toBe(1);
		expect(stderr).toContain('第 1 行的时间无法识别');
		expect(stderr).toContain('offset +25:00 beyond ±14:00');
	});

	it('rows sharing a timestamp: the last one with a value counts, an empty value is no observation', async () => {
		const { code, out } = await run(
			'timestamp,value\n2025-01-01 00:00:00,5\n2025-01-01 00:00:00,\n' +
				'2025-01-01 01:00:00,\n2025-01-01 01:00:00,6\n' +
				'2025-01-01 02:00:00,5\n2025-01-01 02:00:00,7\n2025-01-01 02:00:00,NA\n' +
				'2025-01-01 03:00:00,\n2025-01-01 03:00:00,null\n'
		);
		expect(code).toBe(0);
		expect(out.split('\n').slice(1, -1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
			'2025-01-01 00:00:00,5',
			'2025-01-01 01:00:00,6',
			'2025-01-01 02:00:00,7',
			'2025-01-01 03:00:00,'
		]);
	});

	it('a missing file: Chinese message and the precise reason', async () => {
		const { code } = await run(null, 'nope.csv');
		expect(code).toBe(1);
		expect(stderr).toContain('找不到文件');
		expect(stderr).toContain('ENOENT');
	});

	it('an unparseable row: the line number', async () => {
		let r = await run('timestamp,value\n2025-01-01 00:00:00,1\n2025-01-01 01:00:00,abc\n');
		expect(r.code).toBe(1);
		expect(stderr).toContain('第 3 行');
		expect(stderr).toContain('line 3: unparseable value "abc"');
		stderr = '';
		r = await run('2025-01-01 00:00:00,1\n2025-13-01 01:00:00,2\n');
		expect(r.code).toBe(1);
		expect(stderr).toContain('第 2 行的时间无法识别');
		stderr = '';
		r = await run('2025-01-01 00:00:00,1,7\n');
		expect(r.code).toBe(1);
		expect(stderr).toContain('line 1: expected 2 comma-separated fields, got 3');
	});

	it('empty input: header only, or nothing', async () => {
		for (const content of ['', 'timestamp,value\n', '\n\n']) {
			stderr = '';
			const { code } = await run(content);
			expect(code).toBe(1);
			expect(stderr).toContain('没有数据行');
		}
	});

	it('a reader that goes away (| head) ends it quietly with exit code 0', async () => {
		const path = join(dir, 'long.csv');
		writeFileSync(path, Array.from({ length: 3000 }, (_, i) => `${new Date(Date.UTC(2026, 0, 1, i)).toISOString()},10`).join('\n'));
		expect(await detectSeriesCli(path, new ClosedPipe(0))).toBe(0);
		expect(stderr).toBe('');
	});

	it('reads lines ended by \\r alone (old Mac files) like any other', () => {
		const { points } = parseSeriesCsv('timestamp,value\r2025-01-01 00:00:00,1\r2025-01-01 01:00:00,2\r');
		expect(points.map((p) => p.value)).toEqual([1, 2]);
	});

	it('parseSeriesCsv keeps the first spelling of each timestamp', () => {
		const { points, labels } = parseSeriesCsv('a,b\n2025-01-01 00:00:00,1\n2025-01-01T00:00:00,2\n');
		expect(points).toHaveLength(2);
		expect(labels.get(points[0].t)).toBe('2025-01-01 00:00:00');
	});
});
