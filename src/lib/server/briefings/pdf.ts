// A briefing as a PDF (pdfkit), with a CJK font embedded as a subset (only the characters used): A4, the title,
// the line under it, numbered headings, the text, tables drawn as grids (rows kept whole, the header repeated on
// a new page), the source line, and a footer with the page number on every page.
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { SectionTable } from '$lib/briefings';
import type { Config } from '../config';
import type { BriefingDocument } from './document';
import { BriefingError } from './input';

const MARGIN = 56;
const FONT = 'cjk';
const INK = '#111111';
const MUTED = '#666666';
const ACCENT = '#b00000';

/** The font, or a refusal in Chinese when its file is missing (the .docx needs none). */
export function checkFont(font: Config['pdfFont']): void {
	if (!existsSync(font.path))
		throw new BriefingError(
			'no_font',
			`无法导出 PDF：服务器上没有中文字体文件 ${font.path}。请安装 fonts-noto-cjk，或用环境变量 MINQING_PDF_FONT 指定字体文件；Word 文档仍可导出`,
			null,
			`pdf font missing: ${font.path}`
		);
}

export async function briefingPdf(doc: BriefingDocument, font: Config['pdfFont']): Promise<Buffer> {
	checkFont(font);
	const pdf = new PDFDocument({ size: 'A4', margins: { top: MARGIN, bottom: MARGIN + 16, left: MARGIN, right: MARGIN }, bufferPages: true, info: { Title: doc.title, Creator: '民情 12345 热线分析系统' } });
	const chunks: Buffer[] = [];
	const done = new Promise<Buffer>((res, rej) => {
		pdf.on('data', (c: Buffer) => chunks.push(c));
		pdf.on('end', () => res(Buffer.concat(chunks)));
		pdf.on('error', rej);
	});
	try {
		if (font.family) pdf.registerFont(FONT, font.path, font.family);
		else pdf.registerFont(FONT, font.path);
		pdf.font(FONT);
	} catch (e) {
		throw new BriefingError('no_font', `无法导出 PDF：字体文件 ${font.path} 无法读取（${font.family ?? '单一字体'}）；Word 文档仍可导出`, null, (e as Error).message);
	}
	const width = pdf.page.width - MARGIN * 2;
	const bottom = () => pdf.page.height - pdf.page.margins.bottom;
	const ensure = (h: number) => {
		if (pdf.y + h > bottom()) pdf.addPage();
	};

	pdf.fillColor(ACCENT).fontSize(20).text(doc.title, MARGIN, pdf.y, { width, align: 'center' });
	pdf.moveDown(0.4);
	pdf.fillColor(INK).fontSize(11).text(doc.subtitle, { width, align: 'center' });
	pdf.moveDown(0.3);
	pdf.moveTo(MARGIN, pdf.y).lineTo(MARGIN + width, pdf.y).lineWidth(1.2).strokeColor(ACCENT).stroke();
	pdf.moveDown(0.8);

	for (const s of doc.sections) {
		ensure(60);
		pdf.fillColor(INK).fontSize(14).text(s.heading, MARGIN, pdf.y, { width });
		pdf.moveDown(0.4);
		pdf.fontSize(11);
		for (const p of s.paragraphs) {
			ensure(pdf.heightOfString(p, { width, indent: 22 }) > 40 ? 40 : pdf.heightOfString(p, { width, indent: 22 }));
			pdf.fillColor(INK).text(p, MARGIN, pdf.y, { width, indent: 22, lineGap: 4 });
			pdf.moveDown(0.4);
		}
		for (const t of s.tables) drawTable(pdf, t, width, ensure, bottom);
		pdf.moveDown(0.6);
	}
	ensure(30);
	pdf.fillColor(MUTED).fontSize(9).text(doc.source, MARGIN, pdf.y + 6, { width });

	// the footer on every page: the briefing and the page number
	const range = pdf.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		pdf.switchToPage(i);
		const y = pdf.page.height - MARGIN + 4;
		// writing below the bottom margin would add a page: the margin is lifted for the footer
		const keep = pdf.page.margins.bottom;
		pdf.page.margins.bottom = 0;
		pdf.fillColor(MUTED).fontSize(8.5).text(`${doc.footer} · 第 ${i + 1} 页，共 ${range.count} 页`, MARGIN, y, { width, align: 'center', lineBreak: false });
		pdf.page.margins.bottom = keep;
	}
	pdf.end();
	return done;
}

const CJK_OR_SPACE = /[\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f]+/u;

/**
 * The narrowest a cell's text can be set without breaking a word: its longest run of Latin letters, digits and
 * signs (a ticket number, a time, a figure), or one CJK character — a line may break between those.
 */
export function minContent(text: string, measure: (s: string) => number): number {
	const runs = text.split(CJK_OR_SPACE).filter(Boolean);
	const cjk = [...text].find((ch) => CJK_OR_SPACE.test(ch) && ch.trim());
	return Math.max(0, ...runs.map(measure), cjk ? measure(cjk) : 0);
}

/**
 * Column widths filling `width`, from each column's natural width (its longest text on one line) and its least
 * (minContent, the widest word of it), as a browser lays out a table: a table narrower than the page is spread in
 * proportion (at least 8 % a column); a wider one gives each column its least width and shares the rest in proportion
 * to what each would take more, so ticket numbers, times and figures are not broken and long texts wrap.
 */
export function columnWidths(natural: number[], least: number[], width: number): number[] {
	const total = natural.reduce((a, b) => a + b, 0);
	if (total <= width) {
		const spread = natural.map((w) => Math.max(width * 0.08, (w / total) * width));
		const scale = width / spread.reduce((a, b) => a + b, 0);
		return spread.map((w) => w * scale);
	}
	const floor = least.map((m, i) => Math.min(m, natural[i]));
	const floorTotal = floor.reduce((a, b) => a + b, 0);
	if (floorTotal >= width) return floor.map((m) => (m / floorTotal) * width);
	const more = natural.map((w, i) => w - floor[i]);
	const k = (width - floorTotal) / more.reduce((a, b) => a + b, 0);
	return floor.map((m, i) => m + more[i] * k);
}

function drawTable(pdf: PDFKit.PDFDocument, t: SectionTable, width: number, ensure: (h: number) => void, bottom: () => number): void {
	const pad = 4;
	const size = 9.5;
	if (t.caption) {
		ensure(40);
		pdf.fillColor(INK).fontSize(10.5).text(t.caption, MARGIN, pdf.y, { width });
		pdf.moveDown(0.2);
	}
	if (!t.rows.length) {
		pdf.fillColor(MUTED).fontSize(size).text(t.empty, MARGIN, pdf.y, { width });
		pdf.moveDown(0.4);
	} else {
		// column widths: by the longest text of each column (header included)
		pdf.fontSize(size);
		const natural = t.columns.map((c, i) => Math.max(pdf.widthOfString(c), ...t.rows.map((r) => Math.min(pdf.widthOfString(r[i] ?? ''), width * 0.6))) + pad * 2);
		const least = t.columns.map((c, i) => Math.max(minContent(c, (x) => pdf.widthOfString(x)), ...t.rows.map((r) => minContent(r[i] ?? '', (x) => pdf.widthOfString(x)))) + pad * 2);
		const widths = columnWidths(natural, least, width);
		const heightOf = (cells: string[]) => Math.max(...cells.map((c, i) => pdf.heightOfString(c || ' ', { width: widths[i] - pad * 2 }))) + pad * 2;
		const drawRow = (cells: string[], header: boolean) => {
			const h = heightOf(cells);
			let x = MARGIN;
			const y = pdf.y;
			if (header) pdf.rect(MARGIN, y, width, h).fill('#e8eef5');
			for (let i = 0; i < cells.length; i++) {
				pdf.rect(x, y, widths[i], h).lineWidth(0.5).strokeColor('#999999').stroke();
				pdf.fillColor(INK).text(cells[i] ?? '', x + pad, y + pad, { width: widths[i] - pad * 2, align: t.numeric[i] && !header ? 'right' : 'left' });
				x += widths[i];
			}
			pdf.x = MARGIN;
			pdf.y = y + h;
		};
		ensure(heightOf(t.columns) + heightOf(t.rows[0]));
		drawRow(t.columns, true);
		for (const r of t.rows) {
			if (pdf.y + heightOf(r) > bottom()) {
				pdf.addPage();
				drawRow(t.columns, true);
			}
			drawRow(r, false);
		}
		pdf.moveDown(0.3);
	}
	if (t.note) {
		pdf.fillColor(MUTED).fontSize(8.5).text(t.note, MARGIN, pdf.y, { width });
		pdf.moveDown(0.4);
	}
}
