import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, dictionaryLoads, loadDomainCheck, resolveOptions, type Segmenter } from './index';
import { pieces, ThreadSegmenter } from './thread-segmenter';

const OVERLAY = { terms: [{ word: '网红奶茶店', freq: 1500, tag: 'n' }], stopWords: ['有人'], keptWords: ['很'] };

describe('ThreadSegmenter', () => {
	let local: Segmenter;
	let threaded: ThreadSegmenter;
	let tids: (number | null)[];
	let loadsHere: number;
	beforeAll(() => {
		local = createSegmenter({ overlay: OVERLAY });
		loadsHere = dictionaryLoads();
		tids = [];
		threaded = new ThreadSegmenter({ overlay: OVERLAY, onThread: (tid) => tids.push(tid) });
	});
	afterAll(async () => {
		await threaded.close();
	});

	it('tells its thread id before the constructor returns', () => {
		expect(tids).toEqual([threaded.tid]);
		expect(threaded.tid).toBeGreaterThan(0);
		expect(threaded.tid).not.toBe(process.pid);
	});

	it('answers at once after construction: the first cut waits for the load, in its own thread', () => {
		// asked before `ready`: the call waits; this thread's nodejieba loads nothing
		expect(threaded.cut('楼下网红奶茶店有人排队很吵')).toEqual(local.cut('楼下网红奶茶店有人排队很吵'));
		expect(threaded.isLoaded()).toBe(true);
		expect(dictionaryLoads()).toBe(loadsHere);
	});

	it('cuts and makes tokens exactly as a segmenter on this thread does, with the same overlay', async () => {
		await threaded.ready;
		const texts = [
			...loadDomainCheck(resolveOptions().dictDir).map((c) => c.phrase),
			'12345热线：2026年10月1日起，工业园区星海街200号３栋积水严重，ＯＫ吗？',
			'楼下网红奶茶店有人排队很吵',
			'',
			'   ',
			'😀表情符号也要原样😀'
		];
		for (const t of texts) {
			expect(threaded.cut(t)).toEqual(local.cut(t));
			expect(threaded.tokens(t)).toEqual(local.tokens(t));
		}
		expect(threaded.tokensOf(['有人', '很', '12345', '123'])).toEqual(local.tokensOf(['有人', '很', '12345', '123']));
		expect([...threaded.stopWords].sort()).toEqual([...local.stopWords].sort());
		expect([...threaded.userWords].sort()).toEqual([...local.userWords].sort());
		expect(threaded.options).toEqual(local.options);
	});

	it('cuts a text longer than its buffer in pieces at line ends, with the words of one cut', async () => {
		const small = new ThreadSegmenter({ overlay: OVERLAY, capacity: 2048 });
		try {
			const line = '姑苏区平江街道有家饭店油烟扰民，门口河道是黑臭水体，还有群租和违章搭建。';
			const text = Array.from({ length: 100 }, (_, i) => `${i + 1}. ${line}`).join('\n');
			expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 2048);
			expect(small.cut(text)).toEqual(local.cut(text));
		} finally {
			await small.close();
		}
	});

	it('says why when its dictionaries cannot be loaded, and refuses after close', async () => {
		const bad = new ThreadSegmenter({ referenceDir: join(resolve(import.meta.dirname), 'no-such-directory') });
		await expect(bad.ready).rejects.toThrow(/could not load the dictionaries/);
		expect(bad.isFailed()).toBe(true);
		expect(() => bad.cut('积水')).toThrow(/could not load the dictionaries/);
		await bad.close();
		const closing = new ThreadSegmenter({});
		await closing.ready;
		await closing.close();
		// it ended itself, after freeing its dictionaries (terminated, it would exit with 1 and keep them)
		expect(await closing.ended).toBe(0);
		expect(closing.isFailed()).toBe(true);
		expect(() => closing.cut('积水')).toThrow(/closed/);
	});

	/** Runs `body` as a module of its own process with ThreadSegmenter imported; its exit code and output. */
	function runScript(body: string) {
		const dir = mkdtempSync(join(tmpdir(), 'minqing-thread-segmenter-'));
		const file = join(dir, 'script.mts');
		writeFileSync(file, `import { ThreadSegmenter } from ${JSON.stringify(join(import.meta.dirname, 'thread-segmenter.ts'))};\n${body}`);
		try {
			return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	it('does not keep a process alive once loaded, and keeps it alive while loading', () => {
		// a process that awaits the load, cuts and ends: it exits, with its thread still waiting for requests
		const r = runScript(`const s = new ThreadSegmenter({}); s.ready.then(() => console.log(s.cut('小区门口积水严重').join(' ')));`);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout.trim()).toBe('小区 门口 积水 严重');
	});

	it('is waited for when closed by a process with nothing else to do', () => {
		// close() waits for the thread's end, which the process must stay alive for (an unreferenced thread's exit
		// never came: Node quit with 13, an unsettled top-level await)
		const r = runScript(`const s = new ThreadSegmenter({}); await s.ready; const words = s.cut('小区门口积水严重').join(' ');
			await s.close(); console.log(words, await s.ended);`);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout.trim()).toBe('小区 门口 积水 严重 0');
	});
});

describe('pieces', () => {
	it('keeps a text that fits whole', () => {
		expect(pieces('积水', 100)).toEqual(['积水']);
	});

	it('cuts at the last break before the limit, never inside a character or a surrogate pair, losing nothing', () => {
		const text = '第一句话说积水。第二句话说停电！'.repeat(20) + '😀'.repeat(50) + 'abc def '.repeat(30);
		for (const max of [16, 40, 97, 300]) {
			const ps = pieces(text, max);
			expect(ps.join('')).toBe(text);
			for (const p of ps) {
				expect(Buffer.byteLength(p)).toBeLessThanOrEqual(max);
				expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
			}
		}
		// a sentence end within the limit is where the first piece ends
		expect(pieces('第一句话说积水。第二句话说停电！', 40)[0]).toBe('第一句话说积水。');
	});
});
