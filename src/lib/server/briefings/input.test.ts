// What the briefing forms and the API take, and how each refusal names its field in Chinese.
import { describe, expect, it } from 'vitest';
import { loadReference } from '$pipelines/reference/index';
import { SECTION_KEYS } from '$lib/briefings';
import { BriefingError, parseCreate, parseSave, parseVersion } from './input';
import { join } from 'node:path';

const ref = loadReference(join(import.meta.dirname, '..', '..', '..', '..', 'data'));
const NOW = Date.parse('2026-11-30T10:00:00+08:00');

function refused(f: () => unknown): BriefingError {
	try {
		f();
	} catch (e) {
		expect(e).toBeInstanceOf(BriefingError);
		return e as BriefingError;
	}
	throw new Error('expected a refusal');
}

const base = { kind: 'weekly', title: '', from: '2026-11-23', to: '2026-11-29' };

describe('a value of the wrong kind', () => {
	it('is said to be malformed, not missing', () => {
		expect(refused(() => parseCreate({ ...base, from: 20261123 }, ref, NOW))).toMatchObject({ field: 'from', message: '起始日期的格式不正确，应为 年-月-日（如 2026-11-01）' });
		expect(refused(() => parseCreate({ ...base, to: ['2026-11-29'] }, ref, NOW))).toMatchObject({ field: 'to', message: '结束日期的格式不正确，应为 年-月-日（如 2026-11-01）' });
		expect(refused(() => parseCreate({ ...base, from: undefined }, ref, NOW)).message).toBe('请填写起始日期');
		expect(refused(() => parseVersion('abc'))).toMatchObject({ field: 'version', message: '版本号的格式不正确' });
		expect(refused(() => parseSave({ version: 'v2' }))).toMatchObject({ field: 'version', message: '版本号的格式不正确' });
		expect(refused(() => parseSave({})).message).toBe('缺少版本号：请刷新页面后重试');
		expect(refused(() => parseVersion(null)).message).toBe('缺少版本号：请刷新页面后重试');
	});
});

describe('creating a briefing', () => {
	it('takes a kind, a period and the dashboards\' district and category codes', () => {
		const district = ref.districts[0].code;
		const l1 = ref.categories.find((c) => c.level === 1)!.code;
		expect(parseCreate({ ...base, district, category: l1, title: ' 周报 ' }, ref, NOW)).toEqual({ kind: 'weekly', title: '周报', from: '2026-11-23', to: '2026-11-29', district, category: l1 });
		expect(parseCreate({ ...base, from: '2026/11/3', district: '' }, ref, NOW)).toMatchObject({ from: '2026-11-03', district: null });
	});

	it('names the field at fault, in Chinese', () => {
		const cases: [Record<string, unknown>, string, RegExp][] = [
			[{ ...base, kind: 'daily' }, 'kind', /请选择简报类型（周报、月报、专报）/],
			[{ ...base, from: '' }, 'from', /请填写起始日期/],
			[{ ...base, to: '2026-02-30' }, 'to', /结束日期「2026-02-30」无效/],
			[{ ...base, to: '2026-12-01' }, 'to', /晚于今天（2026-11-30）/],
			[{ ...base, from: '2026-11-29', to: '2026-11-23' }, 'from', /起始日期 2026-11-29 晚于结束日期 2026-11-23/],
			[{ ...base, from: '2025-01-01' }, 'from', /时段不能超过 366 天/],
			[{ ...base, from: '1999-12-31', to: '2000-01-02' }, 'from', /早于 2000-01-01/],
			[{ ...base, district: '999999' }, 'district', /未知的区县代码「999999」/],
			[{ ...base, category: 'zz' }, 'category', /未知的分类代码「zz」/],
			[{ ...base, title: '长'.repeat(61) }, 'title', /标题不能超过 60 个字（现有 61 个）/],
			[{ ...base, title: 'a\u0000b' }, 'title', /空字符/]
		];
		for (const [body, field, message] of cases) {
			const e = refused(() => parseCreate(body, ref, NOW));
			expect([e.field, e.message], JSON.stringify(body)).toEqual([field, expect.stringMatching(message)]);
		}
		const l3 = ref.categories.find((c) => c.level === 3)!;
		const e = refused(() => parseCreate({ ...base, category: l3.code }, ref, NOW));
		expect(e.field).toBe('category');
		expect(e.message).toContain('三级分类');
		expect(refused(() => parseCreate([], ref, NOW)).message).toBe('请求内容应为 JSON 对象');
	});
});

describe('saving a briefing', () => {
	const sections = SECTION_KEYS.map((key) => ({ key, included: true, text: `${key} 的文字` }));

	it('takes the version, the title and every section once, in the new order', () => {
		const reordered = [...sections].reverse();
		reordered[0] = { ...reordered[0], included: false, text: ' 第一行\r\n第二行 ' };
		expect(parseSave({ version: '3', title: '新标题', sections: reordered })).toEqual({
			version: 3,
			title: '新标题',
			sections: [{ ...reordered[0], text: '第一行\n第二行' }, ...reordered.slice(1)]
		});
		expect(parseSave({ version: 1 })).toEqual({ version: 1, title: null, sections: null });
	});

	it('names the field at fault', () => {
		const cases: [Record<string, unknown>, string, RegExp][] = [
			[{ sections }, 'version', /缺少版本号/],
			[{ version: 0, sections }, 'version', /版本号的格式不正确/],
			[{ version: 1, title: '  ' }, 'title', /请填写标题/],
			[{ version: 1, sections: sections.slice(1) }, 'sections', /缺少栏目：总体情况/],
			[{ version: 1, sections: [...sections, sections[0]] }, 'sections', /栏目「总体情况」重复/],
			[{ version: 1, sections: sections.map((s) => ({ ...s, included: false })) }, 'sections', /至少保留一个栏目/],
			[{ version: 1, sections: sections.map((s, i) => (i === 2 ? { ...s, text: '字'.repeat(3001) } : s)) }, 'sections.rising', /「上升词语」的文字不能超过 3000 个字/],
			[{ version: 1, sections: sections.map((s, i) => (i === 1 ? { ...s, text: 1 } : s)) }, 'sections.1', /栏目文字的格式不正确/],
			[{ version: 1, sections: [{ key: 'weather', text: '' }] }, 'sections.0', /栏目应为/]
		];
		for (const [body, field, message] of cases) {
			const e = refused(() => parseSave(body));
			expect([e.field, e.message], JSON.stringify(body).slice(0, 80)).toEqual([field, expect.stringMatching(message)]);
		}
		expect(refused(() => parseVersion(null)).field).toBe('version');
		expect(parseVersion('7')).toBe(7);
	});
});
