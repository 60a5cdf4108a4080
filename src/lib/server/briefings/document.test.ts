// The briefing's documents: the .docx unzipped and read, the PDF's structure, embedded font subset and the
// characters it maps, the file names, and the refusal of a PDF without its font.
import { inflateSync } from 'node:zlib';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PDF_FONT, DEFAULT_PDF_FONT_FAMILY } from '../config';
import { briefingDocument, exportFileName } from './document';
import { briefingDocx } from './docx';
import { BriefingError } from './input';
import { briefingPdf, columnWidths, minContent } from './pdf';
import { sampleBriefing } from './testing';
import { existsSync } from 'node:fs';

const FONT = { path: DEFAULT_PDF_FONT, family: DEFAULT_PDF_FONT_FAMILY };

/** The streams of a PDF, inflated where they are compressed. */
export function pdfStreams(buf: Buffer): string[] {
	const s = buf.toString('latin1');
	const out: string[] = [];
	const re = /stream\r?\n/g;
	for (let m = re.exec(s); m; m = re.exec(s)) {
		const start = m.index + m[0].length;
		const end = s.indexOf('endstream', start);
		if (end < 0) break;
		const bytes = buf.subarray(start, end);
		try {
			out.push(inflateSync(bytes).toString('latin1'));
		} catch {
			out.push(bytes.toString('latin1'));
		}
		re.lastIndex = end + 'endstream'.length;
	}
	return out;
}

/** Whether the PDF's ToUnicode maps carry every character of `text` (what a reader extracts and searches). */
export function pdfMapsText(buf: Buffer, text: string): boolean {
	const maps = pdfStreams(buf)
		.filter((x) => x.includes('begincmap'))
		.join('\n')
		.toLowerCase();
	return [...text].every((ch) => maps.includes(ch.codePointAt(0)!.toString(16).padStart(4, '0')));
}


describe('the document model', () => {
	it('numbers the included sections in their order and splits the text into paragraphs', () => {
		const b = sampleBriefing();
		b.sections = [b.sections[3], b.sections[0], { ...b.sections[1], included: false }, ...b.sections.slice(2).filter((s) => s.key !== 'hotspots')];
		b.sections[1] = { ...b.sections[1], text: '第一段。\n\n第二段。' };
		const d = briefingDocument(b);
		expect(d.sections.map((s) => s.heading).slice(0, 3)).toEqual(['一、热点区域', '二、总体情况', '三、上升词语']);
		expect(d.sections.some((s) => s.heading.includes('热点话题'))).toBe(false);
		expect(d.sections[1].paragraphs).toEqual(['第一段。', '第二段。']);
		expect(d.subtitle).toBe('周报 · 苏州市 · 2026年11月23日至2026年11月29日');
		expect(d.source).toContain('2026-11-30 09:00');
	});

	it('names files with the title and the day in Shanghai, without characters file systems refuse', () => {
		const now = Date.parse('2026-11-30T17:00:00Z'); // 01:00 on 12-01 in Shanghai
		expect(exportFileName('周报/第48周: "噪音"', 'docx', now)).toBe('舆情简报-周报 第48周 噪音-2026-12-01.docx');
		expect(exportFileName('  ', 'pdf', now)).toBe('舆情简报-简报-2026-12-01.pdf');
		expect([...exportFileName('长'.repeat(100), 'pdf', now)].length).toBe('舆情简报-'.length + 40 + '-2026-12-01.pdf'.length);
	});
});

describe('.docx', () => {
	it('is a Word document holding the title, headings, the edited text, the tables and the source line', async () => {
		const b = sampleBriefing();
		b.sections[0] = { ...b.sections[0], text: '本周总体平稳，分析员补充：供暖诉求需关注。', edited: true };
		const buf = await briefingDocx(briefingDocument(b));
		expect(buf.subarray(0, 2).toString()).toBe('PK');
		const zip = await JSZip.loadAsync(buf);
		const xml = await zip.file('word/document.xml')!.async('string');
		expect(xml).toContain(b.title);
		expect(xml).toContain('一、总体情况');
		expect(xml).toContain('分析员补充：供暖诉求需关注。');
		expect(xml).toContain('<w:tbl>');
		expect(xml).toContain('12,345'); // the overview's table
		expect(xml).toContain('SZ20261125-H00012');
		expect(xml).toContain('138****5678');
		expect(xml).toContain('数据来源');
		const files = Object.keys(zip.files);
		expect(files.some((f) => /^word\/footer\d*\.xml$/.test(f))).toBe(true);
	});

	it('sizes a Word table\'s columns to their text: ticket numbers whole, the excerpt widest', async () => {
		const buf = await briefingDocx(briefingDocument(sampleBriefing()));
		const xml = await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string');
		const grids = [...xml.matchAll(/<w:tblGrid>(.*?)<\/w:tblGrid>/g)].map((m) => [...m[1].matchAll(/w:w="(\d+)"/g)].map((x) => Number(x[1])));
		// the last table is 典型诉求: number, time, place, category, excerpt
		const tickets = grids.at(-1)!;
		expect(tickets).toHaveLength(5);
		// SZ20261125-H00012 in 10 pt: 17 Latin characters of about half an em (200 twips), and the cell's margins
		expect(tickets[0]).toBeGreaterThanOrEqual(17 * 100 + 160);
		expect(Math.max(...tickets)).toBe(tickets[4]);
		expect(tickets.reduce((a, b) => a + b, 0)).toBeGreaterThan(9000);
		expect(tickets.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(9026);
	});

	it('escapes text that looks like markup', async () => {
		const b = sampleBriefing();
		b.sections[0] = { ...b.sections[0], text: '<script>alert(1)</script> & <w:p>', edited: true };
		const zip = await JSZip.loadAsync(await briefingDocx(briefingDocument(b)));
		const xml = await zip.file('word/document.xml')!.async('string');
		expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;w:p&gt;');
		expect(xml).not.toContain('<script>');
	});
});

describe.runIf(existsSync(FONT.path))('PDF', () => {
	it('is a PDF with the CJK font embedded as a subset, a footer on each page, and the edited text', async () => {
		const b = sampleBriefing();
		const edited = '分析员补充：供暖诉求需关注。';
		b.sections[0] = { ...b.sections[0], text: edited, edited: true };
		const buf = await briefingPdf(briefingDocument(b), FONT);
		expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
		const s = buf.toString('latin1');
		expect(s).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
		expect(s).toMatch(/\/FontFile[23]? /);
		const pages = (s.match(/\/Type \/Page\b/g) ?? []).length;
		expect(pages).toBeGreaterThanOrEqual(2);
		expect(s).toMatch(new RegExp(`/Count ${pages}\\b`));
		// a subset: far below the collection's size (about 20 MB)
		expect(buf.length).toBeLessThan(1_500_000);
		expect(pdfMapsText(buf, edited)).toBe(true);
		expect(pdfMapsText(buf, b.title)).toBe(true);
		// characters on no page are not in the subset
		expect(pdfMapsText(buf, '鑫')).toBe(false);
	});
});

describe('PDF without its font', () => {
	it('gives a table\'s short columns (ticket numbers, times, figures) their whole width and wraps the long ones', () => {
		// the 典型诉求 table on A4: number, time, place, category, excerpt; widest text on one line and widest word
		const w = columnWidths([103, 96, 78, 158, 298], [103, 60, 20, 20, 20], 483);
		expect(w[0]).toBeCloseTo(103, 6);
		expect(w[1]).toBeGreaterThanOrEqual(60);
		expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(483, 6);
		expect(w[4]).toBeGreaterThan(w[3]);
		// a table narrower than the page is spread over it, as before
		const wide = columnWidths([40, 100], [40, 20], 483);
		expect(wide[0] / wide[1]).toBeCloseTo(0.4, 6);
		expect(wide.reduce((a, b) => a + b, 0)).toBeCloseTo(483, 6);
		// the widest word: a ticket number whole, a time at its space, CJK at any character
		const measure = (s: string) => [...s].length;
		expect(minContent('SZ20261125-H00012', measure)).toBe(17);
		expect(minContent('2026-11-25 22:14', measure)).toBe(10);
		expect(minContent('姑苏区 双塔街道', measure)).toBe(1);
		expect(minContent('电话138****5678，影响休息', measure)).toBe(11);
	});

	it('is refused in Chinese naming the file, and the .docx still works', async () => {
		const doc = briefingDocument(sampleBriefing());
		const e = await briefingPdf(doc, { path: '/nonexistent/font.ttc', family: 'X' }).catch((x: unknown) => x);
		expect(e).toBeInstanceOf(BriefingError);
		expect((e as BriefingError).code).toBe('no_font');
		expect((e as BriefingError).message).toContain('/nonexistent/font.ttc');
		expect((e as BriefingError).message).toContain('MINQING_PDF_FONT');
		expect((await briefingDocx(doc)).length).toBeGreaterThan(1000);
	});
});
