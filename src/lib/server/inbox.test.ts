// The drop folder's rules for when a file is taken, with a recording ingest in place of the real one: a file still
// being written (empty, a last line without its line break, written to while it is read) is not taken or moved
// before it is finished.
import { appendFileSync, closeSync, existsSync, lstatSync, openSync, symlinkSync, writeSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestSummary } from '$pipelines/ingest/pipeline';
import { fileOriginId } from '$pipelines/ingest/files';
import { Inbox, type FileIngest } from './inbox';

const dirs: string[] = [];
const inboxes: Inbox[] = [];
afterEach(async () => {
	for (const i of inboxes.splice(0)) await i.stop();
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `cond` holds (at most 10 s, so a busy machine only slows the test down). */
async function until(cond: () => boolean): Promise<void> {
	for (const t0 = Date.now(); !cond() && Date.now() - t0 < 10_000; ) await sleep(20);
}
const summary = (read: number): IngestSummary & { bytes: number; fileError: string | null } => ({
	source: 's', origin: 'o', read, accepted: read, updated: 0, duplicates: 0, stale: 0, quarantined: 0, quarantinedByReason: {},
	unresolvedPlaces: 0, unknownCategories: 0, flagged: {}, seconds: 0, timings: {}, bytes: 0, fileError: null
});

/** An inbox on a fresh folder whose ingest records each read (the file's text at that moment), with `during` run inside it. */
async function inbox(o: { unfinishedMs?: number; during?: (path: string) => void; before?: (path: string) => void } = {}) {
	const logs: string[] = [];
	const superseded: string[] = [];
	const moved: string[] = [];
	const dir = mkdtempSync(join(tmpdir(), 'minqing-inbox-'));
	dirs.push(dir);
	mkdirSync(join(dir, 'feed'));
	const reads: string[] = [];
	const ingest: FileIngest = async (path, { bytes, readFrom }) => {
		o.before?.(path); // while the file waits in the ingest queue
		const from = readFrom ?? path; // as ingestFile
		const all = (await import('node:fs')).readFileSync(from);
		const text = (bytes === undefined ? all : all.subarray(0, bytes)).toString('utf8'); // as the reader reads it
		const originId = await fileOriginId(from, bytes); // as ingestFile: of the bytes read, before reading
		reads.push(text);
		o.during?.(path); // at once after the read is seen (a test waiting for it acts after this)
		return { ...summary(text.split('\n').filter(Boolean).length), bytes: bytes ?? all.length, originId };
	};
	const i = new Inbox({
		dir, ingest, log: (m) => void logs.push(m), scanMs: 50, stableMs: 100, unfinishedMs: o.unfinishedMs ?? 600,
		supersede: async (source, originId) => void superseded.push(`${source}:${originId}`),
		moved: async (source, originId, to) => void moved.push(`${source}:${originId}:${to}`)
	});
	inboxes.push(i);
	await i.start();
	return { dir, reads, superseded, moved, logs, processed: () => readdirSync(join(dir, 'processed')).flatMap((d) => readdirSync(join(dir, 'processed', d))) };
}

describe('the drop folder', () => {
	it('takes a finished file after a short pause', async () => {
		const b = await inbox();
		writeFileSync(join(b.dir, 'feed', 'a.ndjson'), '{"n":1}\n{"n":2}\n');
		await until(() => b.processed().length > 0);
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n']);
		expect(b.processed()).toContain('a.ndjson');
		// its quarantine rows are told where it went
		const to = join(b.dir, 'processed', readdirSync(join(b.dir, 'processed'))[0], 'a.ndjson');
		expect(b.moved).toEqual([`feed:${await fileOriginId(to)}:${to}`]);
	});

	it('waits for the line break of a last line (or unfinishedMs) and for an empty file to be written', async () => {
		const b = await inbox({ unfinishedMs: 2500 });
		const cut = join(b.dir, 'feed', 'cut.ndjson');
		const empty = join(b.dir, 'feed', 'empty.csv');
		writeFileSync(cut, '{"n":1}\n{"n":');
		writeFileSync(empty, '');
		await sleep(400);
		expect(b.reads).toEqual([]); // still after the 100 ms of stillness
		appendFileSync(cut, '2}\n');
		writeFileSync(empty, 'id,content\n1,路灯不亮\n');
		await until(() => b.reads.length === 2);
		expect(b.reads.sort()).toEqual(['id,content\n1,路灯不亮\n', '{"n":1}\n{"n":2}\n']);
		// a file that ends without a line break is taken all the same once it stays so for unfinishedMs
		const t0 = Date.now();
		writeFileSync(join(b.dir, 'feed', 'no-eol.csv'), 'id,content\n2,井盖缺失');
		await until(() => b.reads.length === 3);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
		expect(b.reads.at(-1)).toBe('id,content\n2,井盖缺失');
	});

	it('leaves a file written to while it is read in place, reads only what was there, and reads it again once it is finished', async () => {
		let first = true;
		const b = await inbox({
			during: (path) => {
				if (first) appendFileSync(path, '{"n":3}\n{"n":'); // the sender goes on writing, up to the middle of a line
				first = false;
			}
		});
		const f = join(b.dir, 'feed', 'slow.ndjson');
		writeFileSync(f, '{"n":1}\n{"n":2}\n');
		await until(() => b.reads.length === 1);
		appendFileSync(f, '4}\n');
		await until(() => b.processed().length > 0);
		// the first read stopped where the file stood still (no cut record), the second took it whole
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n', '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
		expect(existsSync(f)).toBe(false);
		expect(b.processed()).toContain('slow.ndjson');
		// what the first read quarantined is taken back (the whole read quarantines it again)
		expect(b.superseded).toEqual([`feed:${await fileOriginId(join(b.dir, 'processed', readdirSync(join(b.dir, 'processed'))[0], 'slow.ndjson'), 16)}`]);
	});

	it('keeps the read of a file replaced under its name while it was read apart from the new one: its own summary and quarantine rows', async () => {
		let first = true;
		const b = await inbox({
			during: (path) => {
				if (!first) return;
				first = false;
				// another file is renamed over the name while the first is read (a sender re-exporting under the same name)
				writeFileSync(join(b_dir(), 'feed', '.new.tmp'), '{"n":9}\n');
				renameSync(join(b_dir(), 'feed', '.new.tmp'), path);
			}
		});
		const b_dir = () => b.dir;
		const f = join(b.dir, 'feed', 'rep.ndjson');
		writeFileSync(f, '{"n":1}\n{"n":2}\n{"n":3}\n');
		await until(() => b.processed().filter((n) => n.endsWith('.summary.json')).length === 2);
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":9}\n']);
		// nothing of the first read is taken back: it was another file, not a prefix of the new one
		expect(b.superseded).toEqual([]);
		const day = join(b.dir, 'processed', readdirSync(join(b.dir, 'processed'))[0]);
		// the first file is kept as it was read, with a summary of its own saying what happened
		expect(readFileSync(join(day, 'rep.ndjson'), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
		const first1 = JSON.parse(readFileSync(join(day, 'rep.ndjson.summary.json'), 'utf8'));
		expect(first1).toMatchObject({ read: 3, replacedWhileRead: true, movedTo: expect.stringContaining('rep.ndjson') });
		expect(first1.note).toContain('另一个文件');
		// the new one is read on its own and processed under a free name
		expect(readFileSync(join(day, 'rep-2.ndjson'), 'utf8')).toBe('{"n":9}\n');
		expect(JSON.parse(readFileSync(join(day, 'rep-2.ndjson.summary.json'), 'utf8'))).toMatchObject({ read: 1 });
		expect(JSON.parse(readFileSync(join(day, 'rep-2.ndjson.summary.json'), 'utf8')).replacedWhileRead).toBeUndefined();
		// each read's quarantine rows name the file they came from
		expect(b.moved.sort()).toEqual(
			[`feed:${await fileOriginId(join(day, 'rep.ndjson'))}:${join(day, 'rep.ndjson')}`, `feed:${await fileOriginId(join(day, 'rep-2.ndjson'))}:${join(day, 'rep-2.ndjson')}`].sort()
		);
		expect(b.logs.some((m) => m.includes('rep.ndjson') && m.includes('替换') && m.includes('读取 3 条'))).toBe(true);
		expect(existsSync(f)).toBe(false);
	});

	it.runIf(process.platform === 'linux')('reads the file it took, not one renamed over its name while it waited in the ingest queue', async () => {
		let first = true;
		const b = await inbox({
			before: (path) => {
				if (!first) return;
				first = false;
				// the file waits behind a push or an upload; meanwhile the sender re-exports under the same name
				writeFileSync(join(b_dir(), 'feed', '.new.tmp'), '{"n":9}\n{"n":8}\n');
				renameSync(join(b_dir(), 'feed', '.new.tmp'), path);
			}
		});
		const b_dir = () => b.dir;
		writeFileSync(join(b.dir, 'feed', 'wait.ndjson'), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
		await until(() => b.processed().filter((n) => n.endsWith('.summary.json')).length === 2);
		// the first read is the file that was taken, whole (not the new one, cut at the old size); the new one is read on its own
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n', '{"n":9}\n{"n":8}\n']);
		const day = join(b.dir, 'processed', readdirSync(join(b.dir, 'processed'))[0]);
		expect(readFileSync(join(day, 'wait.ndjson'), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
		expect(JSON.parse(readFileSync(join(day, 'wait.ndjson.summary.json'), 'utf8'))).toMatchObject({ read: 4, replacedWhileRead: true });
		expect(readFileSync(join(day, 'wait-2.ndjson'), 'utf8')).toBe('{"n":9}\n{"n":8}\n');
	});

	it('takes back an earlier read only when the file read whole begins with its bytes', async () => {
		let n = 0;
		const b = await inbox({
			during: (path) => {
				n++;
				if (n === 1) appendFileSync(path, '{"n":3}\n'); // grew while read: read again whole
				if (n === 2) {
					// and then, while read again, rewritten from the start with other records
					writeFileSync(path, '{"n":7}\n');
				}
			}
		});
		const f = join(b.dir, 'feed', 'g.ndjson');
		writeFileSync(f, '{"n":1}\n{"n":2}\n');
		await until(() => b.processed().filter((x) => x.endsWith('.summary.json')).length === 2);
		// the second read covered the first (same file, longer): the first's rows are taken back; the third read
		// (the rewritten file) takes back nothing of the second, which was another content
		const id16 = (await import('node:crypto')).createHash('sha256').update('{"n":1}\n{"n":2}\n').digest('hex').slice(0, 16);
		expect(b.superseded).toEqual([`feed:${id16}`]);
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n', '{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":7}\n']);
	});

	it('reads the rest of a file its sender goes on writing after it was read and moved (a pause longer than the wait)', async () => {
		const b = await inbox();
		const f = join(b.dir, 'feed', 'pause.ndjson');
		const fd = openSync(f, 'w');
		writeSync(fd, '{"n":1}\n{"n":2}\n');
		await until(() => b.processed().includes('pause.ndjson.summary.json'));
		expect(b.reads).toEqual(['{"n":1}\n{"n":2}\n']);
		// the sender writes the rest on the same open file, which is in processed/ by now
		writeSync(fd, '{"n":3}\n{"n":4}\n');
		closeSync(fd);
		await until(() => b.reads.length === 2 && b.processed().includes('pause.ndjson.summary.json'));
		expect(b.reads[1]).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
		const day = join(b.dir, 'processed', readdirSync(join(b.dir, 'processed'))[0]);
		expect(JSON.parse(readFileSync(join(day, 'pause.ndjson.summary.json'), 'utf8'))).toMatchObject({ read: 4 });
		expect(readdirSync(day).sort()).toEqual(['pause.ndjson', 'pause.ndjson.summary.json']);
		// the first read's quarantine rows are taken back (the whole read quarantined them again), and the log says so
		const id16 = (await import('node:crypto')).createHash('sha256').update('{"n":1}\n{"n":2}\n').digest('hex').slice(0, 16);
		expect(b.superseded).toEqual([`feed:${id16}`]);
		expect(b.logs.some((m) => m.includes('pause.ndjson') && m.includes('仍在被写入') && m.includes('移回收件箱'))).toBe(true);
	});

	it('reads the rest of a line a sender finishes after a pause longer than unfinishedMs', async () => {
		const b = await inbox({ unfinishedMs: 300 });
		const f = join(b.dir, 'feed', 'mid.ndjson');
		const fd = openSync(f, 'w');
		writeSync(fd, '{"n":1}\n{"n":');
		await until(() => b.processed().includes('mid.ndjson.summary.json'));
		expect(b.reads).toEqual(['{"n":1}\n{"n":']); // taken as it was, its cut line to be quarantined
		writeSync(fd, '2}\n');
		closeSync(fd);
		await until(() => b.reads.length === 2 && b.processed().includes('mid.ndjson.summary.json'));
		expect(b.reads[1]).toBe('{"n":1}\n{"n":2}\n');
		const id16 = (await import('node:crypto')).createHash('sha256').update('{"n":1}\n{"n":').digest('hex').slice(0, 16);
		expect(b.superseded).toEqual([`feed:${id16}`]);
	});

	it('says once why it leaves an entry alone, moves what it cannot read to failed/, and skips Office lock files', async () => {
		const b = await inbox();
		const feed = join(b.dir, 'feed');
		// a name in GBK (测试.ndjson), as a Windows share writes it
		const gbk = Buffer.concat([Buffer.from(`${feed}/`), Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), Buffer.from('.ndjson')]);
		writeFileSync(gbk, '{"n":1}\n');
		writeFileSync(join(b.dir, 'elsewhere.ndjson.txt'), 'x');
		symlinkSync(join(b.dir, 'elsewhere.ndjson.txt'), join(feed, 'link.ndjson'));
		mkdirSync(join(feed, 'sub'));
		writeFileSync(join(feed, 'sub', 'x.ndjson'), '{"n":2}\n');
		writeFileSync(join(feed, '~$x.csv'), 'office lock');
		const failed = () => readdirSync(join(b.dir, 'failed'));
		await until(() => failed().includes('测试.ndjson.error.json') && failed().includes('link.ndjson.error.json'));
		await sleep(400); // more scans: each entry is said once
		const said = (what: string) => b.logs.filter((m) => m.includes(what));
		expect(said('不是 UTF-8 编码')).toHaveLength(2); // the note when found, and the move
		expect(JSON.parse(readFileSync(join(b.dir, 'failed', '测试.ndjson.error.json'), 'utf8')).error).toMatchObject({ code: 'bad_file_name', message: expect.stringContaining('不是 UTF-8 编码') });
		expect(readFileSync(join(b.dir, 'failed', '测试.ndjson'), 'utf8')).toBe('{"n":1}\n');
		expect(lstatSync(join(b.dir, 'failed', 'link.ndjson')).isSymbolicLink()).toBe(true);
		expect(JSON.parse(readFileSync(join(b.dir, 'failed', 'link.ndjson.error.json'), 'utf8')).error.code).toBe('symbolic_link');
		expect(said('feed/sub/ 是来源文件夹中的子文件夹')).toHaveLength(1);
		// nothing of these was read: the lock file is left alone like a .tmp file
		expect(b.reads).toEqual([]);
		expect(existsSync(join(feed, '~$x.csv'))).toBe(true);
		expect(said('~$x.csv')).toEqual([]);
	});

	it('makes failed/ again when it was deleted while the inbox runs', async () => {
		const b = await inbox();
		rmSync(join(b.dir, 'failed'), { recursive: true });
		writeFileSync(join(b.dir, 'feed', 'mapping.json'), '{ not json');
		writeFileSync(join(b.dir, 'feed', 'a.ndjson'), '{"n":1}\n');
		await until(() => existsSync(join(b.dir, 'failed', 'a.ndjson.error.json')));
		expect(JSON.parse(readFileSync(join(b.dir, 'failed', 'a.ndjson.error.json'), 'utf8')).error.code).toBe('bad_mapping');
		expect(existsSync(join(b.dir, 'feed', 'a.ndjson'))).toBe(false);
	});
});
