import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, ENUM_VALUES, FIELD_LABELS, REQUIRED_FIELDS, TIME_FIELDS } from './types';
import { FUTURE_TOLERANCE_MS, VALIDATION_REASONS, validateRecord, type ValidationResult } from './validate';

const NOW = Date.parse('2026-04-01T00:00:00+08:00');
const base = {
	external_id: 'A-1',
	received_at: '2026-03-05T10:00:00+08:00',
	channel: 'phone',
	type: '投诉',
	content: '楼下饭店油烟扰民'
};
const check = (over: Record<string, unknown>, drop: string[] = []): ValidationResult => {
	const f: Record<string, unknown> = { ...base, ...over };
	for (const k of drop) delete f[k];
	return validateRecord(f, { now: NOW });
};
const refused = (r: ValidationResult) => (r.ok ? 'ok' : [r.code, r.field ?? null]);

describe('validateRecord: accepted records', () => {
	it('returns the canonical record: times in Shanghai ISO, updated_at defaulted, optional blanks left out', () => {
		const r = validateRecord(
			{
				...base,
				external_id: '  A-1 ',
				received_at: '2026/3/5 10:00',
				channel: 'Phone',
				title: '',
				address: '姑苏区十全街',
				district_code: ' 320508 ',
				lon: '120.63',
				lat: 31.29,
				caller_phone: 13812345678,
				status: null,
				其他列: 'ignored'
			},
			{ now: NOW }
		);
		expect(r).toEqual({
			ok: true,
			record: {
				external_id: 'A-1',
				received_at: '2026-03-05T10:00:00+08:00',
				updated_at: '2026-03-05T10:00:00+08:00',
				channel: 'phone',
				type: '投诉',
				content: '楼下饭店油烟扰民',
				address: '姑苏区十全街',
				district_code: '320508',
				lon: 120.63,
				lat: 31.29,
				caller_phone: '13812345678'
			},
			times: {
				received: Date.parse('2026-03-05T10:00:00+08:00'),
				updated: Date.parse('2026-03-05T10:00:00+08:00'),
				closed: null,
				signDeadline: null,
				signed: null,
				replyDeadline: null,
				replied: null
			}
		});
	});

	it('takes the handling times in Shanghai ISO; a limit may lie ahead of now, the steps not', () => {
		const r = check({
			sign_deadline: '2026/3/5 12:00',
			signed_at: '2026-03-05T03:30:00Z',
			reply_deadline: '2026-04-20 18:00', // after NOW: a limit still running
			replied_at: '2026-03-12 16:45'
		});
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.record).toMatchObject({
			sign_deadline: '2026-03-05T12:00:00+08:00',
			signed_at: '2026-03-05T11:30:00+08:00',
			reply_deadline: '2026-04-20T18:00:00+08:00',
			replied_at: '2026-03-12T16:45:00+08:00'
		});
		expect(Object.keys(r.record)).toEqual(CANONICAL_FIELDS.filter((f) => f in r.record));
		expect(r.times).toMatchObject({
			signDeadline: Date.parse('2026-03-05T12:00:00+08:00'),
			signed: Date.parse('2026-03-05T11:30:00+08:00'),
			replyDeadline: Date.parse('2026-04-20T18:00:00+08:00'),
			replied: Date.parse('2026-03-12T16:45:00+08:00')
		});
		// blank ones are left out
		const b = check({ signed_at: '', replied_at: null });
		expect(b.ok && [b.record.signed_at, b.record.replied_at, b.times.signed, b.times.replied]).toEqual([undefined, undefined, null, null]);
	});

	it('converts offsets to Shanghai time', () => {
		const r = check({ received_at: '2026-03-05T02:00:00Z', updated_at: 1772690400 /* epoch s, 2026-03-05T06:00Z */ });
		expect(r.ok && r.record.received_at).toBe('2026-03-05T10:00:00+08:00');
		expect(r.ok && r.record.updated_at).toBe('2026-03-05T14:00:00+08:00');
	});

	it('keeps HTML and script as text, exactly as sent', () => {
		const content = '<script>alert(1)</script><img src=x onerror=alert(2)>路灯不亮';
		const r = check({ content, title: '<b>标题</b>' });
		expect(r.ok && r.record.content).toBe(content);
		expect(r.ok && r.record.title).toBe('<b>标题</b>');
	});

	it('keeps content with control characters as sent (cleanText removes them later)', () => {
		const content = '  路面塌陷\u0007\u0000请尽快处理\u001b\n';
		const r = check({ content });
		expect(r.ok && r.record.content).toBe(content);
	});

	it('keeps unknown district, street, category, unit, status and satisfaction values (flagged later)', () => {
		const r = check({ district_code: '999999', street_code: '双塔', category: '不存在的分类', unit: '某单位', status: '已归档', satisfaction: '很好' });
		expect(r.ok).toBe(true);
		expect(r.ok && r.record).toMatchObject({ district_code: '999999', street_code: '双塔', category: '不存在的分类', status: '已归档', satisfaction: '很好' });
	});

	it('content: exactly 10,000 characters after trimming is fine; counted in code points', () => {
		expect(check({ content: `  ${'长'.repeat(10_000)}\n` }).ok).toBe(true);
		expect(check({ content: '𠮷'.repeat(10_000) }).ok).toBe(true); // 20,000 UTF-16 units
	});

	it('a time up to 10 minutes ahead of now is fine (clock skew)', () => {
		expect(check({ received_at: NOW + FUTURE_TOLERANCE_MS }).ok).toBe(true);
		expect(refused(check({ received_at: NOW + FUTURE_TOLERANCE_MS + 1000 }))).toEqual(['future_time', 'received_at']);
	});
});

describe('validateRecord: refused records, one stable code each', () => {
	it('missing or empty required fields', () => {
		for (const f of REQUIRED_FIELDS) {
			expect(refused(check({}, [f]))).toEqual(['missing_field', f]);
			expect(refused(check({ [f]: null }))).toEqual(['missing_field', f]);
		}
		for (const f of ['external_id', 'received_at', 'channel', 'type'])
			expect(refused(check({ [f]: '  ' }))).toEqual(['missing_field', f]);
		const r = check({}, ['received_at']);
		expect(!r.ok && r.message).toBe('缺少必填字段受理时间（received_at）');
	});

	it('empty content: blank, or nothing but control characters', () => {
		expect(refused(check({ content: '' }))).toEqual(['empty_content', 'content']);
		expect(refused(check({ content: ' \n\t\u3000' }))).toEqual(['empty_content', 'content']);
		expect(refused(check({ content: '\u0000\u0007\u001b' }))).toEqual(['empty_content', 'content']);
	});

	it('content over 10,000 characters after trimming', () => {
		const r = check({ content: '长'.repeat(10_001) });
		expect(refused(r)).toEqual(['content_too_long', 'content']);
		expect(!r.ok && r.message).toBe('诉求内容有 10001 个字符，超过 10000 个字符的上限');
	});

	it('unparseable times', () => {
		for (const v of ['昨天下午', '2026-02-30 10:00', '2026-03-05 25:00', '03/05/2026', '0', true, {}])
			expect(refused(check({ received_at: v }))).toEqual(['bad_time', 'received_at']);
		expect(refused(check({ updated_at: 'soon' }))).toEqual(['bad_time', 'updated_at']);
		expect(refused(check({ closed_at: '2026-13-01' }))).toEqual(['bad_time', 'closed_at']);
		expect(refused(check({ signed_at: '尽快' }))).toEqual(['bad_time', 'signed_at']);
		expect(refused(check({ reply_deadline: '15个工作日' }))).toEqual(['bad_time', 'reply_deadline']);
		const r = check({ received_at: '昨天下午' });
		expect(!r.ok && r.message).toBe('受理时间（received_at）「昨天下午」无法识别为时间');
	});

	it('times in the future', () => {
		expect(refused(check({ received_at: '2027-01-01T00:00:00+08:00' }))).toEqual(['future_time', 'received_at']);
		expect(refused(check({ updated_at: '2026-04-02' }))).toEqual(['future_time', 'updated_at']);
		expect(refused(check({ closed_at: '2026-05-01 00:00' }))).toEqual(['future_time', 'closed_at']);
		expect(refused(check({ signed_at: '2026-05-01 00:00' }))).toEqual(['future_time', 'signed_at']);
		expect(refused(check({ replied_at: '2026-05-01 00:00' }))).toEqual(['future_time', 'replied_at']);
		expect(check({ sign_deadline: '2026-05-01 00:00', reply_deadline: '2026-06-01 00:00' }).ok).toBe(true);
	});

	it('updated_at or closed_at earlier than received_at', () => {
		expect(refused(check({ updated_at: '2026-03-05T09:59:59+08:00' }))).toEqual(['updated_before_received', 'updated_at']);
		expect(refused(check({ closed_at: '2026-03-01' }))).toEqual(['closed_before_received', 'closed_at']);
		expect(check({ updated_at: '2026-03-05T10:00:00+08:00', closed_at: '2026-03-06' }).ok).toBe(true);
	});

	it('a handling time or limit earlier than received_at', () => {
		for (const f of ['sign_deadline', 'signed_at', 'reply_deadline', 'replied_at']) {
			const r = check({ [f]: '2026-03-05T09:00:00+08:00' });
			expect(refused(r), f).toEqual(['handled_before_received', f]);
			expect(!r.ok && r.message).toMatch(/^(签收|答复)(时限|时间)（[a-z_]+）「2026-03-05T09:00:00\+08:00」早于受理时间「2026-03-05T10:00:00\+08:00」$/);
		}
		// out of order among themselves (a reply before the sign-for): kept; the pipeline flags it
		expect(check({ signed_at: '2026-03-06', replied_at: '2026-03-05 18:00' }).ok).toBe(true);
	});

	it('unknown channel and type', () => {
		const c = check({ channel: '传真' });
		expect(refused(c)).toEqual(['unknown_channel', 'channel']);
		expect(!c.ok && c.message).toMatch(/^未知的来源渠道「传真」，应为 phone、web、app、wechat、open311、feed 之一/);
		expect(refused(check({ type: '投诉类' }))).toEqual(['unknown_type', 'type']);
		expect(check({ type: ' 投诉 ' }).ok).toBe(true);
	});

	it('coordinates: not numbers, out of range, only one of them', () => {
		expect(refused(check({ lon: '东经120度', lat: 31 }))).toEqual(['bad_number', 'lon']);
		expect(refused(check({ lon: 1206.3, lat: 31.3 }))).toEqual(['coord_out_of_range', 'lon']);
		expect(refused(check({ lon: 120.6, lat: -91 }))).toEqual(['coord_out_of_range', 'lat']);
		expect(refused(check({ lon: 120.6 }))).toEqual(['coord_incomplete', 'lat']);
		expect(refused(check({ lon: '', lat: '31.3' }))).toEqual(['coord_incomplete', 'lon']);
		expect(check({ lon: '', lat: '' }).ok).toBe(true);
	});

	it('wrong types and bad ids', () => {
		expect(refused(validateRecord(null, { now: NOW }))).toEqual(['not_object', null]);
		expect(refused(validateRecord(['a'], { now: NOW }))).toEqual(['not_object', null]);
		expect(refused(check({ content: { text: 'x' } }))).toEqual(['bad_type', 'content']);
		expect(refused(check({ title: ['a'] }))).toEqual(['bad_type', 'title']);
		expect(refused(check({ external_id: 'A\u0000B' }))).toEqual(['bad_external_id', 'external_id']);
		// half a character would be stored as U+FFFD: A\ud800 and A\udc00 would be one key
		const half = check({ external_id: 'A\ud800' });
		expect(refused(half)).toEqual(['bad_external_id', 'external_id']);
		expect((half as { message: string }).message).toContain('含有无效字符（不成对的代理码元 U+D800）');
		expect(refused(check({ external_id: '\udc00A' }))).toEqual(['bad_external_id', 'external_id']);
		expect(refused(check({ external_id: 'A𠮷' }))).toBe('ok');
		expect(refused(check({ external_id: 'x'.repeat(257) }))).toEqual(['bad_external_id', 'external_id']);
		// a JSON number past 2^53 was rounded by the parser (…891 and …892 both read as …000): refused, not merged
		expect(refused(check({ external_id: JSON.parse('12345678901234567891') }))).toEqual(['bad_external_id', 'external_id']);
		expect(refused(check({ external_id: 9007199254740991 }))).toBe('ok');
		expect(refused(check({ external_id: '12345678901234567891' }))).toBe('ok');
		expect(check({ external_id: 12345 }).ok && (check({ external_id: 12345 }) as { record: { external_id: string } }).record.external_id).toBe('12345');
	});

	it('every code has a Chinese description', () => {
		for (const text of Object.values(VALIDATION_REASONS)) expect(text).toMatch(/[\u4e00-\u9fff]/);
	});
});

describe('feed-record.schema.json', () => {
	const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'feed-record.schema.json'), 'utf8'));

	it('is draft 2020-12 and lists exactly the canonical fields, with the same required ones', () => {
		expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
		expect(Object.keys(schema.properties)).toEqual([...CANONICAL_FIELDS]);
		expect(schema.required).toEqual([...REQUIRED_FIELDS]);
		expect(Object.keys(FIELD_LABELS)).toEqual([...CANONICAL_FIELDS]);
	});

	it('has the vocabularies of the lifecycle model', () => {
		expect(schema.properties.channel.enum).toEqual([...ENUM_VALUES.channel]);
		expect(schema.properties.type.enum).toEqual([...ENUM_VALUES.type]);
		expect(schema.properties.urgency.examples).toEqual([...ENUM_VALUES.urgency]);
		expect(schema.properties.status.examples).toEqual([...ENUM_VALUES.status]);
		expect(schema.properties.satisfaction.examples).toEqual([...ENUM_VALUES.satisfaction]);
	});

	it('describes every field in Chinese and English; time fields follow the ISO pattern', () => {
		for (const [name, p] of Object.entries<{ description: string; pattern?: string }>(schema.properties)) {
			expect(p.description, name).toMatch(/[\u4e00-\u9fff][\s\S]*\n[A-Z]/);
		}
		const iso = new RegExp(schema.properties.received_at.pattern);
		for (const f of TIME_FIELDS) expect(schema.properties[f].pattern).toBe(schema.properties.received_at.pattern);
		expect(iso.test('2026-11-28T10:05:30+08:00')).toBe(true);
		expect(iso.test('2026-11-28T10:05:30')).toBe(true);
		expect(iso.test('2026/11/28 10:05')).toBe(false);
	});

	it('a validated record matches the schema (types, enums, patterns)', () => {
		const r = check({
			updated_at: '2026-03-06 09:00', closed_at: 1772780400000, lon: '120.6', lat: '31.3', status: 'closed', satisfaction: '满意', urgency: 'urgent',
			sign_deadline: '2026/3/5 12:00', signed_at: '2026-03-05 11:00', reply_deadline: '2026-03-20', replied_at: '2026-03-06 08:00'
		});
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		for (const [k, v] of Object.entries(r.record)) {
			const p = schema.properties[k];
			expect(p, k).toBeDefined();
			expect(typeof v, k).toBe(p.type === 'number' ? 'number' : 'string');
			if (p.enum) expect(p.enum, k).toContain(v);
			if (p.pattern) expect(new RegExp(p.pattern).test(v as string), k).toBe(true);
		}
	});
});
