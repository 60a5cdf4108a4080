import { describe, expect, it } from 'vitest';
import { agoText, blankIntake, clearDrafts, DRAFT_HOURS, draftLine, loadDrafts, MAX_ASIDE, saveDrafts, worthKeeping, type IntakeDraft } from './intake-draft';

/** sessionStorage as the browser has it: strings by key, in insertion order */
class MemoryStorage {
	items = new Map<string, string>();
	refuse = false;
	get length() {
		return this.items.size;
	}
	key(i: number) {
		return [...this.items.keys()][i] ?? null;
	}
	getItem(k: string) {
		return this.items.get(k) ?? null;
	}
	setItem(k: string, v: string) {
		if (this.refuse) throw new DOMException('quota', 'QuotaExceededError');
		this.items.set(k, String(v));
	}
	removeItem(k: string) {
		this.items.delete(k);
	}
}

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const draft = (over: Partial<ReturnType<typeof blankIntake>> = {}, savedAt = NOW - 60_000): IntakeDraft => ({
	v: { ...blankIntake(), content: '小区门口油烟扰民', ...over },
	touched: { place: true, category: false },
	savedAt,
	files: 0
});

describe('worthKeeping', () => {
	it('keeps a form with anything typed, not the blank one nor one holding only what the screen pop brought', () => {
		expect(worthKeeping(blankIntake())).toBe(false);
		expect(worthKeeping(blankIntake({ caller_phone: '13912345678', caller_name: '张三' }), { caller_phone: '13912345678', caller_name: '张三' })).toBe(false);
		expect(worthKeeping({ ...blankIntake(), content: '  ' })).toBe(false);
		for (const over of [{ content: '噪音' }, { title: '投诉' }, { address: '平江路' }, { decision_note: '已答复' }, { links: ['SZ1'] }, { caller_phone: '139' }, { caller_name: '李四' }])
			expect(worthKeeping({ ...blankIntake(), ...over }), JSON.stringify(over)).toBe(true);
		// the operator corrected the popped phone: that is typed
		expect(worthKeeping({ ...blankIntake({ caller_phone: '139' }), caller_phone: '138' }, { caller_phone: '139' })).toBe(true);
	});
});

describe('saveDrafts and loadDrafts', () => {
	it('gives back what was kept, for the same user only', () => {
		const s = new MemoryStorage();
		const kept = { current: draft({ caller_name: '张三', links: ['SZ20261201-000001'], urgent: true }), aside: [draft({ content: '路灯坏了' })] };
		expect(saveDrafts(s, 7, kept)).toBe(true);
		expect(loadDrafts(s, 7, NOW)).toEqual(kept);
		expect(loadDrafts(s, 8, NOW)).toEqual({ current: null, aside: [] });
	});

	it('leaves nothing in the storage when there is no draft', () => {
		const s = new MemoryStorage();
		saveDrafts(s, 7, { current: draft(), aside: [] });
		saveDrafts(s, 7, { current: null, aside: [] });
		expect(s.length).toBe(0);
	});

	it(`drops drafts older than ${DRAFT_HOURS} hours, empty ones and unreadable ones`, () => {
		const s = new MemoryStorage();
		saveDrafts(s, 7, { current: draft({}, NOW - DRAFT_HOURS * 3_600_000 - 1), aside: [draft({ content: '' }), draft({ content: '留下' })] });
		expect(loadDrafts(s, 7, NOW)).toEqual({ current: null, aside: [draft({ content: '留下' })] });
		s.setItem('minqing:intake-draft:7', '{not json');
		expect(loadDrafts(s, 7, NOW)).toEqual({ current: null, aside: [] });
		s.setItem('minqing:intake-draft:7', JSON.stringify({ current: { v: 'x', savedAt: NOW }, aside: 'y' }));
		expect(loadDrafts(s, 7, NOW)).toEqual({ current: null, aside: [] });
	});

	it('reads a draft of an older form: missing or mistyped fields take their blank value', () => {
		const s = new MemoryStorage();
		s.setItem('minqing:intake-draft:7', JSON.stringify({ current: { v: { content: '旧草稿', urgent: 'yes', links: ['SZ1', 3] }, savedAt: NOW } }));
		expect(loadDrafts(s, 7, NOW).current).toEqual({ v: { ...blankIntake(), content: '旧草稿', links: ['SZ1'] }, touched: { place: false, category: false }, savedAt: NOW, files: 0 });
	});

	it(`keeps at most ${MAX_ASIDE} calls aside, the newest`, () => {
		const s = new MemoryStorage();
		const aside = Array.from({ length: MAX_ASIDE + 2 }, (_, i) => draft({ content: `第 ${i} 通` }));
		saveDrafts(s, 7, { current: null, aside });
		expect(loadDrafts(s, 7, NOW).aside.map((d) => d.v.content)).toEqual(aside.slice(0, MAX_ASIDE).map((d) => d.v.content));
	});

	it('says so, without throwing, when the storage refuses', () => {
		const s = new MemoryStorage();
		s.refuse = true;
		expect(saveDrafts(s, 7, { current: draft(), aside: [] })).toBe(false);
	});
});

describe('clearDrafts', () => {
	it("removes every user's drafts and nothing else", () => {
		const s = new MemoryStorage();
		saveDrafts(s, 7, { current: draft(), aside: [] });
		saveDrafts(s, 9, { current: draft(), aside: [] });
		s.setItem('other', 'x');
		clearDrafts(s);
		expect([...s.items.keys()]).toEqual(['other']);
	});
});

describe('draftLine and agoText', () => {
	it('names the caller and the matter in one line, cut by characters', () => {
		expect(draftLine(draft({ caller_name: '张三', title: '油烟' }))).toBe('张三 · 油烟');
		expect(draftLine(draft({ caller_phone: '13912345678', content: '一二三四五六七八九十一二三四五六七八九十一二三四五六' }))).toBe('13912345678 · 一二三四五六七八九十一二三四五六七八九十一二三四…');
		expect(draftLine(draft({ content: '', address: '平江路 1 号' }))).toBe('未留姓名 · 平江路 1 号');
	});

	it('says how long ago', () => {
		expect(agoText(NOW - 30_000, NOW)).toBe('刚刚');
		expect(agoText(NOW - 5 * 60_000, NOW)).toBe('5 分钟前');
		expect(agoText(NOW - 3 * 3_600_000, NOW)).toBe('3 小时前');
	});
});
