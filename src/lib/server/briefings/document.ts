// A briefing as a document, whatever the format: title, the lines under it, the included sections in order with
// a numbered heading, the edited text as paragraphs and the section's tables, and the source line. The .docx
// (docx.ts) and the PDF (pdf.ts) both render this, so they say the same.
import { shanghaiDay } from '$pipelines/calendar/index';
import { fmtPeriod, SECTION_TITLES, sectionTables, type BriefingView, type SectionTable } from '$lib/briefings';

export interface DocSection {
	heading: string;
	paragraphs: string[];
	tables: SectionTable[];
}

export interface BriefingDocument {
	title: string;
	/** 周报 · 苏州市 · 2026年11月23日至2026年11月29日 */
	subtitle: string;
	sections: DocSection[];
	/** 数据来源 … (under the last section and in the footer) */
	source: string;
	footer: string;
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** The Shanghai date and minute of an ISO instant. */
export function shanghaiMinuteOf(iso: string): string {
	return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function briefingDocument(b: BriefingView): BriefingDocument {
	const included = b.sections.filter((s) => s.included);
	return {
		title: b.title,
		subtitle: `${b.kindLabel} · ${b.scope} · ${fmtPeriod(b.from, b.to)}`,
		sections: included.map((s, i) => ({
			heading: `${NUMERALS[i] ?? String(i + 1)}、${SECTION_TITLES[s.key]}`,
			paragraphs: s.text
				.split(/\n+/)
				.map((p) => p.trim())
				.filter(Boolean),
			tables: sectionTables(s.key, b.figures)
		})),
		source: `数据来源：12345 热线工单（民情系统），数据生成于 ${shanghaiMinuteOf(b.figures.generatedAt)}（北京时间）；编制：${b.updatedBy}。`,
		footer: `${b.title} · ${shanghaiDay(Date.parse(b.updatedAt))}`
	};
}

/**
 * The file name of an exported briefing: 舆情简报-<title>-<today in Shanghai>.<ext>, without the characters file
 * systems refuse (/ \ : * ? " < > | and control characters), the title cut to 40 characters (code points).
 */
export function exportFileName(title: string, ext: 'docx' | 'pdf', now = Date.now()): string {
	// eslint-disable-next-line no-control-regex
	const clean = title.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
	const cut = [...clean].slice(0, 40).join('').trim() || '简报';
	return `舆情简报-${cut}-${shanghaiDay(now)}.${ext}`;
}
