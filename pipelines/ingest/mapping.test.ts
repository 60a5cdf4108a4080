import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MappingError, applyMapping, compileTimeFormat, loadMapping, parseMapping, parseMappingText, reformatTime } from './mapping';
import { CANONICAL_FIELDS } from './types';

const EXAMPLE = join(import.meta.dirname, '../../data/mappings/legacy-export-zh.json');
const tmp = mkdtempSync(join(tmpdir(), 'minqing-mapping-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The MappingError a mapping raises. */
function refusal(json: unknown): MappingError {
	try {
		parseMapping(json, 'm.json');
	} catch (e) {
		expect(e).toBeInstanceOf(MappingError);
		return e as MappingError;
	}
	throw new Error('the mapping was accepted');
}

describe('loadMapping', () => {
	it('loads the shipped example for the legacy CSV export', () => {
		const m = loadMapping(EXAMPLE);
		expect(m.name).toBe('legacy-export-zh');
		expect(m.input).toEqual({ format: 'csv', encoding: 'auto', delimiter: ',' });
		expect(m.rename.get('来电时间')).toBe('received_at');
		// every canonical field has its column
		expect([...m.rename.values()].sort()).toEqual([...CANONICAL_FIELDS].sort());
		expect(m.values.get('district_code')!.get('姑苏区')).toBe('320508');
		expect(m.values.get('district_code')!.get('园区')).toBe('320576');
		expect(m.values.get('street_code')!.get('双塔街道')).toBe('320508021');
		expect(m.values.get('type')!.get('投诉类')).toBe('投诉');
		expect(m.dates.get('received_at')!.source).toBe('YYYY/M/D H:mm:ss');
	});

	it('says where a file is not JSON, with line and column', () => {
		const p = join(tmp, 'broken.json');
		writeFileSync(p, '{\n  "rename": {\n    "来电时间": "received_at",\n  }\n}\n');
		const e = (() => {
			try {
				loadMapping(p);
			} catch (e) {
				return e as MappingError;
			}
		})()!;
		expect(e).toBeInstanceOf(MappingError);
		expect(e.message).toMatch(/^映射文件 .*broken\.json 不是有效的 JSON（第 4 行第 \d+ 列附近）$/);
		expect(e.detail).toMatch(/invalid JSON/);
	});

	it('counts the column of a broken mapping in characters: an emoji before the fault counts once', () => {
		expect(() => parseMappingText('{\n  "note": "😀😀", x\n}', 'm.json')).toThrow('映射文件 m.json 不是有效的 JSON（第 2 行第 17 列附近）');
	});

	it('a missing file', () => {
		expect(() => loadMapping(join(tmp, 'nope.json'))).toThrow(/无法读取映射文件/);
	});

	it('refuses an unknown key, suggesting the right one', () => {
		const e = refusal({ renames: {} });
		expect(e.message).toBe('映射文件 m.json 有误：未知的配置项「renames」，是否应为「rename」？（可用：version、name、description、input、rename、concat、values、dates、defaults、constants、drop、unmapped）');
		expect(e.detail).toMatch(/^m\.json: \/renames: unknown key "renames" \(did you mean "rename"\?\)/);
		expect(e.pointer).toBe('/renames');
		// $-keys are comments
		expect(() => parseMapping({ $comment: 'x', $schema: 'y' })).not.toThrow();
	});

	it('refuses a target that is not a canonical field', () => {
		const e = refusal({ rename: { 来电时间: 'recieved_at' } });
		expect(e.message).toMatch(/目标字段「recieved_at」不是标准记录的字段，是否应为「received_at」？/);
		expect(e.pointer).toBe('/rename/来电时间');
		expect(refusal({ values: { 渠道: { 电话: 'phone' } } }).message).toMatch(/字段「渠道」不是标准记录的字段/);
	});

	it('refuses two sources for one field, and rename + concat of the same field', () => {
		expect(refusal({ rename: { 来电时间: 'received_at', 受理时间: 'received_at' } }).message).toMatch(
			/字段 received_at 同时由「来电时间」和「受理时间」映射而来/
		);
		expect(refusal({ rename: { 内容: 'content' }, concat: { content: ['a', 'b'] } }).pointer).toBe('/concat/content');
	});

	it('refuses value maps, defaults and constants outside the closed vocabularies', () => {
		const e = refusal({ values: { channel: { 电话: 'telephone' } } });
		expect(e.message).toMatch(/字段 channel 只能取 phone、web、app、wechat、open311、feed，不能是「telephone」/);
		expect(e.pointer).toBe('/values/channel/电话');
		expect(refusal({ constants: { type: '投诉类' } }).pointer).toBe('/constants/type');
		expect(refusal({ defaults: { status: 'done' } }).pointer).toBe('/defaults/status');
		expect(refusal({ values: { type: { 投诉类: ['投诉'] } } }).message).toMatch(/取值应为字符串或数字/);
		// a value may be mapped to blank (treated as absent)
		expect(() => parseMapping({ values: { satisfaction: { 未回访: '' } } })).not.toThrow();
	});

	it('refuses a constant for a field that is also mapped (defaults are for that)', () => {
		expect(refusal({ rename: { 渠道: 'channel' }, constants: { channel: 'feed' } }).message).toMatch(/不能同时设为常量/);
		expect(() => parseMapping({ rename: { 渠道: 'channel' }, defaults: { channel: 'feed' } })).not.toThrow();
	});

	it('refuses bad date hints', () => {
		expect(refusal({ dates: { title: 'YYYY-MM-DD' } }).message).toMatch(/字段 title 不是时间字段/);
		expect(refusal({ dates: { received_at: 'HH:mm' } }).message).toMatch(/时间格式「HH:mm」无效：格式中必须有年/);
		expect(refusal({ dates: { received_at: 'YYYY-MM-DD hh:mm' } }).message).toMatch(/12 小时制/);
		expect(refusal({ dates: { received_at: 7 } }).message).toMatch(/时间格式应为字符串/);
	});

	it('refuses malformed sections', () => {
		expect(refusal([]).message).toMatch(/应为 JSON 对象/);
		expect(refusal({ version: 2 }).message).toMatch(/不支持的版本 2/);
		expect(refusal({ rename: { a: 1 } }).message).toMatch(/应映射到一个字段名/);
		expect(refusal({ concat: { content: [] } }).message).toMatch(/非空的源列名数组/);
		expect(refusal({ concat: { content: { from: ['a'], sep: '' } } }).pointer).toBe('/concat/content/sep');
		expect(refusal({ drop: '来电人' }).message).toMatch(/drop 应为源列名数组/);
		expect(refusal({ rename: { 来电人: 'caller_name' }, drop: ['来电人'] }).message).toMatch(/既在 drop 中又在 rename 中/);
		expect(refusal({ unmapped: 'ignore' }).pointer).toBe('/unmapped');
		expect(refusal({ input: { encoding: 'gbk' } }).message).toMatch(/编码只能是 auto、utf-8、gb18030/);
		expect(refusal({ input: { delimiter: '||' } }).pointer).toBe('/input/delimiter');
	});
});

describe('applyMapping', () => {
	it('renames, maps values, reformats dates, fills defaults and constants, drops, passes the rest', () => {
		const m = parseMapping({
			rename: { 编号: 'external_id', 来电时间: 'received_at', 渠道: 'channel', 性质: 'type', 内容: 'content' },
			values: { type: { 投诉类: '投诉' }, channel: { 电话: 'phone' } },
			dates: { received_at: 'YYYY年M月D日 Ah:mm' },
			defaults: { title: '（无标题）' },
			constants: { satisfaction: '满意' },
			drop: ['来电人']
		});
		const out = applyMapping(m, {
			编号: 'A1',
			来电时间: '2026年3月5日 下午3:05',
			渠道: ' 电话 ',
			性质: '投诉类',
			内容: '噪音',
			来电人: '张三',
			备注: 'x'
		});
		expect(out).toEqual({
			external_id: 'A1',
			received_at: '2026-03-05T15:05:00',
			channel: 'phone',
			type: '投诉',
			content: '噪音',
			title: '（无标题）',
			satisfaction: '满意',
			备注: 'x'
		});
	});

	it('leaves values the mapping does not cover unchanged (validation reports them)', () => {
		const m = parseMapping({ values: { type: { 投诉类: '投诉' } }, dates: { received_at: 'YYYY/M/D H:mm' } });
		expect(applyMapping(m, { type: '其他', received_at: '2026-03-05 10:00' })).toEqual({ type: '其他', received_at: '2026-03-05 10:00' });
	});

	it('concat joins the non-blank source columns with a newline (or the separator given)', () => {
		const m = parseMapping({ concat: { content: ['诉求内容', '补充说明'], address: { from: ['区', '街道', '地址'], separator: '' } } });
		expect(applyMapping(m, { 诉求内容: '噪音扰民', 补充说明: '晚上十点以后', 区: '姑苏区', 街道: '', 地址: '十全街' })).toMatchObject({
			content: '噪音扰民\n晚上十点以后',
			address: '姑苏区十全街'
		});
		expect(applyMapping(m, { 诉求内容: '只有一列' }).content).toBe('只有一列');
		// present but blank: empty content (validation says empty_content); absent: no field
		expect(applyMapping(m, { 诉求内容: '  ', 补充说明: '' }).content).toBe('');
		expect(applyMapping(m, { other: 1 })).not.toHaveProperty('content');
	});

	it('unmapped: drop keeps only what the mapping produces', () => {
		const m = parseMapping({ rename: { 编号: 'external_id' }, unmapped: 'drop' });
		expect(applyMapping(m, { 编号: '1', 其他: '2' })).toEqual({ external_id: '1' });
	});

	it('is safe with a __proto__ column', () => {
		const m = parseMapping({ rename: { 编号: 'external_id' } });
		const fields = JSON.parse('{"__proto__": {"polluted": true}, "编号": "1"}');
		const out = applyMapping(m, fields);
		expect(out.external_id).toBe('1');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((out as { polluted?: unknown }).polluted).toBeUndefined();
	});
});

describe('time format hints', () => {
	it('rewrites the layout only', () => {
		const f = (fmt: string, v: string) => reformatTime(v, compileTimeFormat(fmt));
		expect(f('YYYY/M/D H:mm:ss', '2026/3/5 8:12:33')).toBe('2026-03-05T08:12:33');
		expect(f('YYYY/M/D H:mm:ss', ' 2026/3/5   8:12:33 ')).toBe('2026-03-05T08:12:33');
		expect(f('DD/MM/YYYY HH:mm', '05/03/2026 18:40')).toBe('2026-03-05T18:40:00');
		expect(f('YY.MM.DD', '26.03.05')).toBe('2026-03-05T00:00:00');
		expect(f('YYYYMMDD[T]HHmmss.SSSZ', '20260305T081233.250+0800')).toBe('2026-03-05T08:12:33.250+0800');
		expect(f('YYYY-MM-DD A h:mm', '2026-03-05 上午 12:30')).toBe('2026-03-05T00:30:00');
		expect(f('YYYY-MM-DD A h:mm', '2026-03-05 PM 12:30')).toBe('2026-03-05T12:30:00');
		expect(f('YYYY/M/D H:mm:ss', '2026-03-05 08:12')).toBeNull();
		expect(f('YYYY/M/D', '2026/2/30')).toBe('2026-02-30T00:00:00'); // whether it exists is parseTime's business
		// full-width digits and colon read as half-width (else the value would fall to the generic reading, M before D)
		expect(f('YYYY.D.M', '２０２５.５.１１')).toBe('2025-11-05T00:00:00');
		expect(f('YYYY/M/D H:mm', '2026/3/5 ８：１２')).toBe('2026-03-05T08:12:00');
	});
});
