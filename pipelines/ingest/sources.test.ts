import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
	detectEncoding,
	detectFormat,
	isFileError,
	readCsv,
	readNdjson,
	readParquet,
	readSource,
	splitCsvRecord,
	type RawRecord
} from './sources';
import { encodeGb18030, feedSampleLines, legacyCsvText, NDJSON_BAD, PARQUET_ROWS } from '../../tests/fixtures/make-ingest-fixtures';

const FIX = join(import.meta.dirname, '../../tests/fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'minqing-sources-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function all(it: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
	const out: RawRecord[] = [];
	for await (const r of it) out.push(r);
	return out;
}

/** The bytes as a stream of chunks of the given sizes (cycled), to put chunk boundaries everywhere. */
async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
	let pos = 0;
	for (let k = 0; pos < bytes.length; k++) {
		const n = sizes[k % sizes.length];
		yield bytes.subarray(pos, pos + n);
		pos += n;
	}
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const stream = (s: string | Uint8Array, sizes = [1 << 16]) => chunked(typeof s === 'string' ? utf8(s) : s, sizes);
const file = (name: string, content: string | Uint8Array) => {
	const p = join(tmp, name);
	writeFileSync(p, content);
	return p;
};
const codes = (rs: RawRecord[]) => rs.map((r) => r.error?.code ?? 'ok');

describe('detectFormat', () => {
	it('knows the extensions', () => {
		expect(detectFormat('a/b.ndjson')).toBe('ndjson');
		expect(detectFormat('x.JSONL')).toBe('ndjson');
		expect(detectFormat('x.json')).toBe('ndjson');
		expect(detectFormat('导出.CSV')).toBe('csv');
		expect(detectFormat('x.txt')).toBe('csv');
		expect(detectFormat('x.parquet')).toBe('parquet');
		expect(detectFormat('x.xlsx')).toBeNull();
		expect(detectFormat('noext')).toBeNull();
	});
});

describe('readNdjson', () => {
	const path = join(FIX, 'feed-sample.ndjson');

	it('the fixture is what the fixture script writes', () => {
		expect(readFileSync(path, 'utf8')).toBe(feedSampleLines().join('\n') + '\n');
	});

	it('reads the sample: good records and bad lines side by side, blank lines skipped, offsets exact', async () => {
		const recs = await all(readNdjson(path));
		const bytes = readFileSync(path);
		const lines = feedSampleLines();
		const nonBlank = lines.map((l, k) => [l, k + 1] as const).filter(([l]) => l.trim() !== '');
		expect(recs.map((r) => r.line)).toEqual(nonBlank.map(([, n]) => n));
		for (const r of recs) {
			expect(r.file).toBe(path);
			// raw is exactly the line's bytes at byteOffset (without the line break)
			expect(bytes.subarray(r.byteOffset!, r.byteOffset! + Buffer.byteLength(r.raw)).toString('utf8')).toBe(r.raw);
			expect(r.raw).toBe(lines[r.line! - 1].replace(/\r$/, ''));
		}
		const bad = recs.filter((r) => r.error);
		expect(bad.map((r) => [r.line, r.error!.code])).toEqual([
			[10, 'bad_json'],
			[11, 'not_object']
		]);
		expect(NDJSON_BAD[10]).toBe('bad_json');
		// where the parser stopped, in Chinese; its own English words only as the detail
		expect(bad[0].error!.message).toMatch(/^第 10 行不是有效的 JSON：(第 \d+ 个字符附近有误|内容在行尾处不完整)（detail: .+）$/);
		const at = await all(readNdjson(stream('{bad json line <b>bold</b>\n')));
		expect(at[0].error!.message).toMatch(/^第 1 行不是有效的 JSON：第 2 个字符附近有误（detail: [^）]*position 1[^）]*）$/);
		// characters, not the parser's UTF-16 units: the emoji before the fault counts once
		const emoji = await all(readNdjson(stream('{"a":"😀😀",x}\n')));
		expect(emoji[0].error!.message).toMatch(/^第 1 行不是有效的 JSON：第 11 个字符附近有误/);
		expect(bad[0].raw).toContain('"F-bad-1"');
		expect(bad[1].error!.message).toContain('数组');
		expect(recs.filter((r) => r.fields).length).toBe(recs.length - 2);
		expect(recs.at(-1)!.fields).toMatchObject({ external_id: 12345 });
	});

	it('gives the same records whatever the chunk boundaries (multi-byte characters split across chunks)', async () => {
		const bytes = readFileSync(path);
		const whole = await all(readNdjson(stream(bytes)));
		for (const sizes of [[1], [2, 3], [7, 1, 13], [4096, 5]]) {
			const parts = await all(readNdjson(stream(bytes, sizes)));
			expect(parts).toEqual(whole);
		}
		expect(whole.every((r) => r.file === null)).toBe(true);
	});

	it('skips a UTF-8 byte order mark', async () => {
		const recs = await all(readNdjson(stream('\ufeff{"a":1}\n{"a":2}\n', [2])));
		expect(recs.map((r) => r.fields)).toEqual([{ a: 1 }, { a: 2 }]);
		expect(recs[0].byteOffset).toBe(3);
		expect(recs[0].raw).toBe('{"a":1}');
	});

	it('reads a last line without line break, and refuses a truncated one as truncated_line', async () => {
		const ok = await all(readNdjson(stream('{"a":1}\n{"a":2}')));
		expect(ok.map((r) => r.fields)).toEqual([{ a: 1 }, { a: 2 }]);
		const cut = await all(readNdjson(stream('{"a":1}\n{"a":2}\n{"external_id":"x","cont')));
		expect(codes(cut)).toEqual(['ok', 'ok', 'truncated_line']);
		expect(cut[2]).toMatchObject({ line: 3, raw: '{"external_id":"x","cont', fields: null });
		expect(cut[2].error!.message).toMatch(/最后一行（第 3 行）不完整/);
	});

	it('refuses a malformed line with the parser message and keeps the next ones', async () => {
		const recs = await all(readNdjson(stream('{"a":1}\n{a:2}\n{"a":3}\n')));
		expect(codes(recs)).toEqual(['ok', 'bad_json', 'ok']);
		expect(recs[1].error!.message).toMatch(/JSON/);
		expect(recs[1].raw).toBe('{a:2}');
	});

	it('refuses values that are not objects', async () => {
		const recs = await all(readNdjson(stream('1\n"x"\nnull\ntrue\n[]\n{}\n')));
		expect(codes(recs)).toEqual(['not_object', 'not_object', 'not_object', 'not_object', 'not_object', 'ok']);
	});

	it('refuses invalid UTF-8 as bad_encoding, keeping the neighbours', async () => {
		const bytes = Buffer.concat([utf8('{"a":1}\n'), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc4, 0xe3, 0x22, 0x7d, 0x0a]), utf8('{"a":3}\n')]);
		const recs = await all(readNdjson(stream(bytes)));
		expect(codes(recs)).toEqual(['ok', 'bad_encoding', 'ok']);
		expect(recs[1].raw).toContain('\ufffd');
	});

	it('refuses an over-long line without buffering it, and goes on', async () => {
		const long = `{"content":"${'x'.repeat(5000)}"}`;
		const recs = await all(readNdjson(stream(`{"a":1}\n${long}\n{"a":3}\n`, [100]), { maxLineBytes: 1000 }));
		expect(codes(recs)).toEqual(['ok', 'line_too_long', 'ok']);
		expect(recs[1].line).toBe(2);
		expect(recs[2]).toMatchObject({ line: 3, byteOffset: 8 + long.length + 1 });
	});

	it('a 0-byte file, or one of blank lines only, is one empty_file error', async () => {
		const empty = await all(readNdjson(file('empty.ndjson', '')));
		expect(empty).toHaveLength(1);
		expect(empty[0]).toMatchObject({ line: null, byteOffset: null, error: { code: 'empty_file' } });
		expect(isFileError(empty[0])).toBe(true);
		expect(codes(await all(readNdjson(stream(''))))).toEqual(['empty_file']);
		expect(codes(await all(readNdjson(stream('\n  \r\n\n'))))).toEqual(['empty_file']);
	});

	it('refuses content that is one JSON array as one json_array error before any record, whatever the chunks', async () => {
		const records = [
			{ external_id: 'J-1', received_at: '2026-03-02T09:07:00+08:00', channel: 'web', type: '求助', content: '路灯不亮' },
			{ external_id: 'J-2', received_at: '2026-03-02T10:07:00+08:00', channel: 'web', type: '投诉', content: '噪音扰民' },
			{ external_id: 'J-3', received_at: '2026-03-02T11:07:00+08:00', channel: 'app', type: '咨询', content: '公积金' }
		];
		const oneLine = JSON.stringify(records);
		const pretty = JSON.stringify(records, null, 2);
		// read as lines, these were one not_object record, and a bad_json record per line of the pretty one
		for (const text of [oneLine, pretty + '\n', `\ufeff \r\n\n\t${pretty}`, '[]']) {
			for (const sizes of [[1 << 16], [1], [2, 3]]) {
				const recs = await all(readNdjson(stream(text, sizes)));
				expect(codes(recs)).toEqual(['json_array']);
				expect(isFileError(recs[0])).toBe(true);
			}
		}
		// longer than a line may be: still the same file-level refusal, not line_too_long
		expect(codes(await all(readNdjson(stream(oneLine, [7]), { maxLineBytes: 100 })))).toEqual(['json_array']);
		const recs = await all(readNdjson(file('array.json', pretty)));
		expect(recs).toEqual([expect.objectContaining({ line: null, byteOffset: null, raw: '', fields: null })]);
		expect(recs[0].error!.message).toContain(`文件 ${join(tmp, 'array.json')} 的内容是一个 JSON 数组`);
		expect(recs[0].error!.message).toContain('NDJSON');
		expect(recs[0].error!.message).toMatch(/detail: .*"\["/);
		// an array further down is a line like any other; a broken byte order mark is no array either
		expect(codes(await all(readNdjson(stream('{"a":1}\n[1,2]\n'))))).toEqual(['ok', 'not_object']);
		expect(codes(await all(readNdjson(stream(Buffer.from([0xef, 0xbb, 0x5b, 0x5d, 0x0a])))))).toEqual(['bad_encoding']);
	});

	it('refuses a pretty-printed JSON document ({ alone on the first line) as one json_document error, whatever the chunks; an object on one line is a record', async () => {
		const doc = { records: [{ external_id: 'D-1', received_at: '2026-03-02T09:07:00+08:00', channel: 'web', type: '求助', content: '路灯不亮' }] };
		const pretty = JSON.stringify(doc, null, 2);
		// read as lines, each line of these was a bad_json record of its own
		for (const text of [pretty + '\n', `\ufeff\n  ${pretty}`, pretty.replace(/\n/g, '\r\n'), '{  \t\n"a": 1\n}\n']) {
			for (const sizes of [[1 << 16], [1], [2, 3]]) {
				const recs = await all(readNdjson(stream(text, sizes)));
				expect(codes(recs)).toEqual(['json_document']);
				expect(isFileError(recs[0])).toBe(true);
			}
		}
		const recs = await all(readNdjson(file('export.json', pretty)));
		expect(recs).toEqual([expect.objectContaining({ line: null, byteOffset: null, raw: '', fields: null })]);
		expect(recs[0].error!.message).toContain(`文件 ${join(tmp, 'export.json')} 是一个分多行排版的 JSON 文档（以只有「{」的一行开头）`);
		expect(recs[0].error!.message).toContain("jq -c '.records[]'");
		// a record on one line, even with spaces after its brace, is read; a lone { further down is that line's bad_json
		const rec = { external_id: 'D-2', content: '噪音' };
		expect(codes(await all(readNdjson(stream(`{ "external_id": "D-2", "content": "噪音" }\n{\n`))))).toEqual(['ok', 'bad_json']);
		expect((await all(readNdjson(stream(JSON.stringify(rec) + '\n', [1]))))[0].fields).toEqual(rec);
		// a lone { without a line break after it is the last line, cut off
		expect(codes(await all(readNdjson(stream('{'))))).toEqual(['truncated_line']);
		// NDJSON whose first line is a broken record ({ alone), followed by records: that line alone is refused
		for (const sizes of [[1 << 16], [1], [2, 3]])
			expect(codes(await all(readNdjson(stream(`{\n\n${JSON.stringify(rec)}\n${JSON.stringify(rec)}\n`, sizes))))).toEqual(['bad_json', 'ok', 'ok']);
	});

	it('a missing file is one file_unreadable error', async () => {
		const recs = await all(readNdjson(join(tmp, 'nope.ndjson')));
		expect(codes(recs)).toEqual(['file_unreadable']);
		expect(recs[0].error!.message).toContain('nope.ndjson');
	});
});

describe('readCsv', () => {
	it('RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF, UTF-8 BOM', async () => {
		const text = '\ufeffid,title,content\r\n1,"a,b","他说""你好"""\r\n2,x,"第一行\r\n第二行"\r\n3,,\r\n';
		const recs = await all(readCsv(stream(text, [3])));
		expect(recs.map((r) => r.fields)).toEqual([
			{ id: '1', title: 'a,b', content: '他说"你好"' },
			{ id: '2', title: 'x', content: '第一行\r\n第二行' },
			{ id: '3', title: '', content: '' }
		]);
		expect(recs.map((r) => r.line)).toEqual([2, 3, 5]);
		const bytes = utf8(text);
		for (const r of recs) expect(Buffer.from(bytes.subarray(r.byteOffset!, r.byteOffset! + Buffer.byteLength(r.raw))).toString()).toBe(r.raw);
	});

	it('refuses a row with the wrong column count as csv_columns, keeping the raw row and the good rows', async () => {
		const recs = await all(readCsv(stream('id,content\n1,好\n2,太吵,晚上\n3\n4,好\n')));
		expect(codes(recs)).toEqual(['ok', 'csv_columns', 'csv_columns', 'ok']);
		expect(recs[1]).toMatchObject({ line: 3, raw: '2,太吵,晚上', fields: null });
		expect(recs[1].error!.message).toBe('第 3 行有 3 列，表头有 2 列');
		expect(recs[3].fields).toEqual({ id: '4', content: '好' });
	});

	it('detects GB18030 (GBK) and decodes it, the same at every chunk size', async () => {
		const bytes = encodeGb18030('工单编号,诉求内容\n1,噪音扰民\n2,"油烟,很大"\n3,张𠮷反映\n');
		const whole = await all(readCsv(stream(bytes)));
		expect(whole.map((r) => r.fields)).toEqual([
			{ 工单编号: '1', 诉求内容: '噪音扰民' },
			{ 工单编号: '2', 诉求内容: '油烟,很大' },
			{ 工单编号: '3', 诉求内容: '张𠮷反映' }
		]);
		for (const sizes of [[1], [2, 5], [3]]) expect(await all(readCsv(stream(bytes, sizes)))).toEqual(whole);
		expect(await all(readCsv(stream(bytes), { encoding: 'gb18030' }))).toEqual(whole);
	});

	it('reads only the first bytes of a file when told so (a file still being written)', async () => {
		const path = file('growing.ndjson', '{"a":1}\n{"a":2}\n{"a":');
		expect((await all(readSource(path, { bytes: 16 }))).map((r) => r.fields)).toEqual([{ a: 1 }, { a: 2 }]);
		expect((await all(readSource(path))).map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'truncated_line']);
	});

	it('skips rows of empty cells and the header repeated further down', async () => {
		const recs = await all(readCsv(stream('\ufeff编号,内容,地址\r\n1,路灯不亮,平江路\r\n,,\r\n 编号 ,内容,地址\r\n2,井盖缺失,\r\n,,,,\r\n ,  ,\r\n')));
		expect(recs.map((r) => r.fields ?? r.error!.code)).toEqual([
			{ 编号: '1', 内容: '路灯不亮', 地址: '平江路' },
			{ 编号: '2', 内容: '井盖缺失', 地址: '' }
		]);
		expect(recs.map((r) => r.line)).toEqual([2, 5]);
		// a header with empty rows only is an export without records, as a header alone is
		expect(await all(readCsv(stream('编号,内容\r\n,\r\n')))).toEqual([]);
	});

	it('keeps a GB18030 four-byte character split by a chunk from taking the line break after it', async () => {
		// 𠮷 (4 bytes) right before a CRLF, placed so that a 64 KiB chunk ends after its first, second or third byte
		// (the reader takes the first 64 KiB whole to find the encoding, so the split must lie beyond it)
		for (const split of [1, 2, 3]) {
			const head = encodeGb18030('编号,内容\r\n');
			const row = (k: number) => `${k},${'x'.repeat(40)}\r\n`;
			let filler = '';
			for (let k = 1; head.length + filler.length + row(k).length + 3 < 65536 - split; k++) filler += row(k);
			const pad = 65536 - split - head.length - filler.length - '99999,'.length;
			const bytes = Buffer.concat([head, encodeGb18030(`${filler}99999,${'y'.repeat(pad)}𠮷\r\n100000,好\r\n`)]);
			expect(bytes.indexOf(encodeGb18030('𠮷'))).toBe(65536 - split);
			const recs = await all(readCsv(stream(bytes, [65536])));
			expect(recs.filter((r) => r.error)).toEqual([]);
			expect(recs.slice(-2).map((r) => r.fields)).toEqual([
				{ 编号: '99999', 内容: `${'y'.repeat(pad)}𠮷` },
				{ 编号: '100000', 内容: '好' }
			]);
		}
	});


	it('the legacy fixture is GB18030 and is what the fixture script writes', () => {
		const bytes = readFileSync(join(FIX, 'legacy-export-gbk.csv'));
		expect(bytes.equals(encodeGb18030(legacyCsvText()))).toBe(true);
		expect(detectEncoding(bytes, true)).toEqual({ ok: true, encoding: 'gb18030', bom: 0, tentative: false });
	});

	it('stays UTF-8 for UTF-8 without BOM', async () => {
		const recs = await all(readCsv(stream('编号,内容\n1,苏州市姑苏区\n')));
		expect(recs[0].fields).toEqual({ 编号: '1', 内容: '苏州市姑苏区' });
	});

	it('an ASCII start longer than the sniffed part, then GB18030 rows: switches to GB18030', async () => {
		const ascii = Array.from({ length: 3000 }, (_, k) => `${k},plain ascii text ${k}`).join('\n');
		const bytes = Buffer.concat([utf8(`id,content\n${ascii}\n`), encodeGb18030('3000,姑苏区噪音\n')]);
		expect(bytes.length).toBeGreaterThan(64 * 1024);
		const recs = await all(readCsv(stream(bytes)));
		expect(recs).toHaveLength(3001);
		expect(recs.at(-1)!.fields).toEqual({ id: '3000', content: '姑苏区噪音' });
	});

	it('unknown encoding: one clear file-level error', async () => {
		const latin1 = Buffer.from('id,name\n1,Müller café naïve\n2,Straße àéè ù\n', 'latin1');
		const recs = await all(readCsv(file('latin1.csv', latin1)));
		expect(codes(recs)).toEqual(['unknown_encoding']);
		expect(isFileError(recs[0])).toBe(true);
		expect(recs[0].error!.message).toMatch(/^无法识别文件编码：既不是有效的 UTF-8，也不像 GBK\/GB18030/);
		const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,内容\n1,好\n', 'utf16le')]);
		expect((await all(readCsv(stream(utf16))))[0].error!.message).toMatch(/UTF-16/);
		const binary = Buffer.from(Array.from({ length: 512 }, (_, k) => (k * 37 + 11) & 0xff));
		expect(codes(await all(readCsv(stream(binary))))).toEqual(['unknown_encoding']);
		const utf16NoBom = Buffer.from('id,content\n1,plain text\n2,more text\n', 'utf16le');
		expect((await all(readCsv(stream(utf16NoBom))))[0].error!.message).toMatch(/NUL/);
	});

	it('a stray NUL byte early in a text file stays in its row (cleaned and flagged later); the file is read', async () => {
		const bytes = Buffer.concat([utf8('id,内容\n1,好\n2,坏'), Buffer.from([0]), utf8('字\n3,也好\n')]);
		const recs = await all(readCsv(stream(bytes)));
		expect(codes(recs)).toEqual(['ok', 'ok', 'ok']);
		expect(recs[1].fields).toEqual({ id: '2', 内容: '坏\u0000字' });
	});

	it('a row not valid in the detected encoding is bad_encoding; the others come through', async () => {
		const bytes = Buffer.concat([utf8('id,内容\n1,好\n2,'), Buffer.from([0xc4, 0xe3]), utf8('\n3,也好\n')]);
		const recs = await all(readCsv(stream(bytes)));
		expect(codes(recs)).toEqual(['ok', 'bad_encoding', 'ok']);
		expect(recs[1].line).toBe(3);
	});

	it('a quote that never closes: the line is refused as csv_quote and reading resumes on the next line', async () => {
		const text = 'id,content\n1,好\n2,"没有结束的引号\n3,后面的行\n4,也要读到\n';
		const recs = await all(readCsv(stream(text)));
		expect(codes(recs)).toEqual(['ok', 'csv_quote', 'ok', 'ok']);
		expect(recs[1]).toMatchObject({ line: 3, raw: '2,"没有结束的引号' });
		expect(recs.slice(2).map((r) => [r.line, r.fields])).toEqual([
			[4, { id: '3', content: '后面的行' }],
			[5, { id: '4', content: '也要读到' }]
		]);
		// past maxRowBytes in the middle of the file
		const lines = Array.from({ length: 200 }, (_, k) => `${k + 10},第${k}行`).join('\n');
		const big = await all(readCsv(stream(`id,content\n1,"open\n${lines}\n`, [64]), { maxRowBytes: 256 }));
		expect(big[0].error!.code).toBe('csv_quote');
		expect(big.length).toBeGreaterThan(190);
		expect(big.at(-1)!.fields).toEqual({ id: '209', content: '第199行' });
	});

	it('the outcome never depends on chunk boundaries, also for broken quotes and over-long rows', async () => {
		const lines = Array.from({ length: 60 }, (_, k) => `${k},第${k}行，没有引号`);
		lines[10] = '10,"没有结束';
		lines[30] = `30,${'长'.repeat(120)}`;
		lines[40] = '40,"跨\n行的\r\n内容"';
		const bytes = encodeGb18030(`id,content\r\n${lines.join('\r\n')}\r\n61,"最后也没有结束`);
		const whole = await all(readCsv(stream(bytes), { maxRowBytes: 200 }));
		expect(codes(whole).filter((c) => c !== 'ok')).toEqual(['csv_quote', 'csv_row_too_long', 'csv_quote']);
		expect(whole.find((r) => r.line === 42)!.fields).toEqual({ id: '40', content: '跨\n行的\r\n内容' });
		expect(whole.filter((r) => r.fields).length).toBe(60 - 2);
		for (const sizes of [[1], [2, 7], [13], [199, 3], [4096]]) expect(await all(readCsv(stream(bytes, sizes), { maxRowBytes: 200 }))).toEqual(whole);
	});

	it('a file that starts in ASCII and later has Latin-1 text: those rows are bad_encoding, not garbled Chinese', async () => {
		const ascii = Array.from({ length: 3000 }, (_, k) => `${k},plain ascii text ${k}`).join('\n');
		const bytes = Buffer.concat([utf8(`id,content\n${ascii}\n`), Buffer.from('3000,Müller café\n3001,ok\n', 'latin1')]);
		const recs = await all(readCsv(stream(bytes)));
		expect(codes(recs.slice(-2))).toEqual(['bad_encoding', 'ok']);
	});

	it('a stray quote closed by a quoted field on the next line merges the two lines, refused with its raw text', async () => {
		const recs = await all(readCsv(stream('id,content\n1,"坏\n2,"好"\n3,好\n')));
		expect(codes(recs)).toEqual(['csv_quote', 'ok']);
		expect(recs[0]).toMatchObject({ line: 2, raw: '1,"坏\n2,"好"' });
		const more = await all(readCsv(stream('id,content\n1,"坏\n2,"好",x\n3,好\n')));
		expect(codes(more)).toEqual(['csv_quote', 'ok']);
	});

	it('a single over-long row is csv_row_too_long; the next rows come through', async () => {
		const recs = await all(readCsv(stream(`id,content\n1,${'长'.repeat(2000)}\n2,短\n`, [100]), { maxRowBytes: 1000 }));
		expect(codes(recs)).toEqual(['csv_row_too_long', 'ok']);
		expect(recs[1]).toMatchObject({ line: 3, fields: { id: '2', content: '短' } });
	});

	it('duplicate header names are a file-level csv_header error; empty names become _colN', async () => {
		expect(codes(await all(readCsv(stream('a,b,a\n1,2,3\n'))))).toEqual(['csv_header']);
		const recs = await all(readCsv(stream('a,,c,\n1,2,3,4\n')));
		expect(recs[0].fields).toEqual({ a: '1', _col2: '2', c: '3', _col4: '4' });
	});

	it('detects tab and semicolon delimiters; honours an explicit one, also | in GB18030', async () => {
		expect((await all(readCsv(stream('a\tb\n1\t2,3\n'))))[0].fields).toEqual({ a: '1', b: '2,3' });
		expect((await all(readCsv(stream('a;b\n1;"x;y"\n'))))[0].fields).toEqual({ a: '1', b: 'x;y' });
		// a GBK character whose second byte is 0x7C ('|')
		const dec = new TextDecoder('gb18030');
		const ch = dec.decode(new Uint8Array([0x81, 0x7c]));
		const bytes = encodeGb18030(`编号|内容\n1|${ch}${ch}噪音\n`);
		expect(bytes.includes(Buffer.from([0x81, 0x7c]))).toBe(true);
		expect((await all(readCsv(stream(bytes), { delimiter: '|', encoding: 'gb18030' })))[0].fields).toEqual({ 编号: '1', 内容: `${ch}${ch}噪音` });
	});

	it('GB18030: a broken character (a lone lead byte) at the end of a row refuses that row alone, at every chunk size', async () => {
		const rows = Array.from({ length: 20 }, (_, k) => `${k + 1},姑苏区噪音扰民${k + 1}`);
		const parts: Buffer[] = [encodeGb18030('编号,内容\n')];
		for (const [k, r] of rows.entries()) {
			parts.push(encodeGb18030(r), Buffer.from('\n'));
			// a row whose last field ends in a lone lead byte
			if (k === 9) parts.push(encodeGb18030('10x,路灯不亮'), Buffer.from([0x81]), Buffer.from('\n'));
			// a lead byte followed by a digit and a line break: no four-byte character either
			if (k === 14) parts.push(encodeGb18030('16x,井盖'), Buffer.from([0x81, 0x35]), Buffer.from('\n'));
		}
		const bytes = Buffer.concat(parts);
		for (const sizes of [[1 << 16], [1], [2, 3], [7]]) {
			const recs = await all(readCsv(stream(bytes, sizes), { encoding: 'gb18030' }));
			expect(recs.filter((r) => !r.error).map((r) => r.fields!['编号'])).toEqual(rows.map((r) => r.split(',')[0]));
			expect(recs.filter((r) => r.error).map((r) => [r.line, r.error!.code])).toEqual([[12, 'bad_encoding'], [18, 'bad_encoding']]);
		}
		// detected, as a file would be
		const detected = await all(readCsv(stream(bytes)));
		expect(detected.filter((r) => !r.error)).toHaveLength(20);
		expect(detected.filter((r) => r.error).map((r) => r.error!.code)).toEqual(['bad_encoding', 'bad_encoding']);
	});

	it('with knownColumns, refuses a header that has none of them as one csv_no_known_column error before any row', async () => {
		const known = ['external_id', 'received_at', 'channel', 'type', 'content', 'title', 'address'];
		// NDJSON in a .txt file: its first record would have been taken for the header and lost
		const ndjson = [
			'{"external_id": "T-1", "received_at": "2026-03-02T09:07:00+08:00", "channel": "web", "type": "求助", "content": "路灯不亮"}',
			'{"external_id": "T-2", "received_at": "2026-03-02T10:07:00+08:00", "channel": "web", "type": "投诉", "content": "噪音扰民"}',
			'{"external_id": "T-3", "received_at": "2026-03-02T11:07:00+08:00", "channel": "app", "type": "咨询", "content": "公积金"}'
		].join('\n') + '\n';
		for (const sizes of [[1 << 16], [1], [5, 3]]) {
			const recs = await all(readCsv(stream(ndjson, sizes), { knownColumns: known }));
			expect(codes(recs)).toEqual(['csv_no_known_column']);
			expect(isFileError(recs[0])).toBe(true);
		}
		const recs = await all(readCsv(file('nd.txt', ndjson), { knownColumns: known }));
		const msg = recs[0].error!.message;
		expect(msg).toContain(`文件 ${join(tmp, 'nd.txt')} 的第 1 行应为表头，但它像是数据`);
		expect(msg).toContain('external_id、received_at、channel、type、content、title 等 7 个');
		expect(msg).toContain('.ndjson');
		expect(msg).toMatch(/detail: header row at line 1, .*none matches/);
		// a CSV without its header row: its first row is not used up as one
		expect(codes(await all(readCsv(stream('\ufeffT-1,2026-03-02,web,求助,路灯不亮\nT-2,2026-03-02,web,投诉,噪音\n'), { knownColumns: known })))).toEqual([
			'csv_no_known_column'
		]);
		// a header of names none of which is known is a header all the same (an export that needs its mapping): its
		// rows are read with those names, to be quarantined and replayed with the mapping
		const unknown = await all(readCsv(stream('工单编号,来电时间,诉求内容\nZ-1,2026-03-02 09:07,路灯不亮\n'), { knownColumns: known }));
		expect(unknown.map((r) => r.fields)).toEqual([{ 工单编号: 'Z-1', 来电时间: '2026-03-02 09:07', 诉求内容: '路灯不亮' }]);
		// a first line of data: a number, a date or a time among its cells
		for (const first of ['12345,路灯不亮', '路灯不亮,2026/3/2', '路灯不亮,09:07', '路灯不亮,2026年3月2日'])
			expect(codes(await all(readCsv(stream(`${first}\nx,y\n`), { knownColumns: known }))), first).toEqual(['csv_no_known_column']);
		// one known column is enough (trimmed, in any case); other columns pass as they are
		const ok = await all(readCsv(stream(' External_ID ,备注\nK-1,x\n'), { knownColumns: known }));
		expect(ok.map((r) => r.fields)).toEqual([{ External_ID: 'K-1', 备注: 'x' }]);
		// a mapping's Chinese source columns, given with the canonical fields
		const zh = await all(readCsv(stream('工单编号,诉求内容\nZ-1,路灯不亮\n'), { knownColumns: ['工单编号', ...known] }));
		expect(zh.map((r) => r.fields)).toEqual([{ 工单编号: 'Z-1', 诉求内容: '路灯不亮' }]);
		// without knownColumns, any header is taken
		expect((await all(readCsv(stream('a,b\n1,2\n'))))[0].fields).toEqual({ a: '1', b: '2' });
	});

	it('0 bytes, or blank lines only: empty_file; a header without rows: nothing', async () => {
		expect(codes(await all(readCsv(file('empty.csv', ''))))).toEqual(['empty_file']);
		expect(codes(await all(readCsv(stream('\r\n\r\n'))))).toEqual(['empty_file']);
		expect(await all(readCsv(stream('id,content\r\n')))).toEqual([]);
	});

	it('splitCsvRecord', () => {
		expect(splitCsvRecord('a,"b,""c""",,"d" ,e')).toEqual(['a', 'b,"c"', '', 'd', 'e']);
		expect(splitCsvRecord('a,"他说"你好"",b')).toBeNull();
		expect(splitCsvRecord('a,"没有结束')).toBeNull();
		expect(splitCsvRecord('a,b"c,d')).toEqual(['a', 'b"c', 'd']);
		expect(splitCsvRecord('')).toEqual(['']);
		expect(splitCsvRecord('x\ty', '\t')).toEqual(['x', 'y']);
	});
});

describe('readParquet', () => {
	let inst: DuckDBInstance;
	let conn: DuckDBConnection;
	beforeAll(async () => {
		inst = await DuckDBInstance.create(':memory:');
		conn = await inst.connect();
	});
	afterAll(() => {
		conn.closeSync();
		inst.closeSync();
	});

	it('reads every row in batches, as plain objects with ISO times', async () => {
		const recs = await all(readParquet(conn, join(FIX, 'feed-sample.parquet'), { batchSize: 4 }));
		expect(recs).toHaveLength(PARQUET_ROWS);
		expect(recs.map((r) => r.line)).toEqual(Array.from({ length: PARQUET_ROWS }, (_, k) => k + 1));
		expect(recs[0].fields).toEqual({
			external_id: 'P-0001',
			received_at: '2026-03-01T00:00:00+00:00',
			updated_at: '2026-03-01T10:00:00',
			channel: 'phone',
			type: '咨询',
			content: '第1条：小区路灯不亮，晚上很黑。',
			lon: 120.6,
			lat: 31.3,
			district_code: '320508',
			seq: '0'
		});
		expect(recs[1].fields).toMatchObject({ lon: null, lat: null });
		expect(JSON.parse(recs[5].raw)).toEqual(recs[5].fields);
		// the same from one batch
		expect((await all(readParquet(conn, join(FIX, 'feed-sample.parquet')))).map((r) => r.fields)).toEqual(recs.map((r) => r.fields));
	});

	it('decodes text stored as plain BINARY (UTF-8, else GB18030); bytes that are neither are bad_encoding', async () => {
		const path = file('binary-text.parquet', '');
		await conn.run(`COPY (
			SELECT * FROM (VALUES
				(1, encode('噪音扰民'), encode('平江路')),
				(2, '\\xD4\\xEB\\xD2\\xF4'::BLOB, encode('干将路')),
				(3, '\\xFF\\xFF\\xFE'::BLOB, encode('人民路'))
			) t(external_id, content, address)
		) TO '${path}' (FORMAT parquet)`);
		const recs = await all(readParquet(conn, path));
		expect(codes(recs)).toEqual(['ok', 'ok', 'bad_encoding']);
		expect(recs[0].fields).toMatchObject({ content: '噪音扰民', address: '平江路' });
		expect(recs[1].fields).toMatchObject({ content: '噪音', address: '干将路' });
		expect(recs[2]).toMatchObject({ line: 3, error: { code: 'bad_encoding' } });
		expect(recs[2].error!.message).toContain('content');
	});

	it('a truncated Parquet file is one bad_parquet error, not a crash', async () => {
		const recs = await all(readParquet(conn, join(FIX, 'feed-sample-truncated.parquet')));
		expect(codes(recs)).toEqual(['bad_parquet']);
		expect(isFileError(recs[0])).toBe(true);
		expect(recs[0].error!.message).toMatch(/已损坏或不完整（可能被截断）/);
		// the connection still works
		expect((await conn.runAndReadAll('SELECT 42')).getRows()[0][0]).toBe(42);
	});

	it('0 bytes is empty_file; not Parquet is bad_parquet', async () => {
		expect(codes(await all(readParquet(conn, file('empty.parquet', ''))))).toEqual(['empty_file']);
		expect(codes(await all(readParquet(conn, file('text.parquet', 'id,content\n1,x\n'))))).toEqual(['bad_parquet']);
	});

	it('readSource dispatches by extension', async () => {
		expect(await all(readSource(join(FIX, 'feed-sample.parquet'), { conn }))).toHaveLength(PARQUET_ROWS);
		expect(codes(await all(readSource(file('x.xlsx', 'PK'))))).toEqual(['unknown_format']);
		const csv = await all(readSource(file('x.txt', 'a\tb\n1\t2\n')));
		expect(csv[0].fields).toEqual({ a: '1', b: '2' });
	});
});
