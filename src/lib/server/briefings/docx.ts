// A briefing as a Word document (.docx, package docx): the title, the line under it, numbered section headings,
// the text, the tables (header row repeated on each page), the source line, and a footer with the page number.
import {
	AlignmentType,
	BorderStyle,
	Document,
	Footer,
	HeadingLevel,
	Packer,
	PageNumber,
	Paragraph,
	Table,
	TableCell,
	TableRow,
	TextRun,
	WidthType,
	ShadingType
} from 'docx';
import type { SectionTable } from '$lib/briefings';
import type { BriefingDocument } from './document';
import { columnWidths, minContent } from './pdf';

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' };
const HEADING_FONT = { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '黑体' };
const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '999999' };

function cell(text: string, o: { header?: boolean; right?: boolean }): TableCell {
	return new TableCell({
		children: [
			new Paragraph({
				alignment: o.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
				children: [new TextRun({ text, bold: !!o.header, size: 20, font: o.header ? HEADING_FONT : FONT })]
			})
		],
		shading: o.header ? { type: ShadingType.CLEAR, color: 'auto', fill: 'E8EEF5' } : undefined,
		margins: { top: 40, bottom: 40, left: 80, right: 80 },
		borders: { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER }
	});
}

// the page's text width (A4, 1 inch margins) and a table cell's side margins, in twips; a cell's text is 10 pt
const TEXT_WIDTH = 11906 - 2 * 1440;
const CELL_MARGINS = 160;
const EM = 200;

/** About how wide a text is in a cell, in twips: a CJK or full-width character an em, any other half of one. */
function textWidth(s: string): number {
	let ems = 0;
	for (const ch of s) ems += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(ch) ? 1 : 0.55;
	return Math.ceil(ems * EM);
}

/**
 * The grid of a table, in twips, from each column's longest text (at most 60 % of the page) and its widest word
 * (columnWidths, as the PDF does): ticket numbers, times and figures whole, long texts wrapping. WPS, LibreOffice and
 * Google Docs lay a table out from it; without it every column was as wide as the others.
 */
function gridOf(t: SectionTable): number[] {
	const natural = t.columns.map((c, i) => Math.max(textWidth(c), ...t.rows.map((r) => Math.min(textWidth(r[i] ?? ''), TEXT_WIDTH * 0.6))) + CELL_MARGINS);
	const least = t.columns.map((c, i) => Math.max(minContent(c, textWidth), ...t.rows.map((r) => minContent(r[i] ?? '', textWidth))) + CELL_MARGINS);
	return columnWidths(natural, least, TEXT_WIDTH).map((w) => Math.floor(w));
}

function tableBlocks(t: SectionTable): (Paragraph | Table)[] {
	const out: (Paragraph | Table)[] = [];
	if (t.caption) out.push(new Paragraph({ spacing: { before: 120, after: 60 }, children: [new TextRun({ text: t.caption, bold: true, size: 21, font: HEADING_FONT })] }));
	if (!t.rows.length) {
		out.push(new Paragraph({ children: [new TextRun({ text: t.empty, size: 20, color: '666666', font: FONT })] }));
	} else {
		out.push(
			new Table({
				width: { size: 100, type: WidthType.PERCENTAGE },
				columnWidths: gridOf(t),
				rows: [
					new TableRow({ tableHeader: true, children: t.columns.map((c, i) => cell(c, { header: true, right: t.numeric[i] })) }),
					...t.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((v, i) => cell(v, { right: t.numeric[i] })) }))
				]
			})
		);
	}
	if (t.note) out.push(new Paragraph({ spacing: { before: 60 }, children: [new TextRun({ text: t.note, size: 18, color: '666666', font: FONT })] }));
	return out;
}

export async function briefingDocx(doc: BriefingDocument): Promise<Buffer> {
	const body: (Paragraph | Table)[] = [
		new Paragraph({
			heading: HeadingLevel.TITLE,
			alignment: AlignmentType.CENTER,
			spacing: { after: 120 },
			children: [new TextRun({ text: doc.title, bold: true, size: 40, font: HEADING_FONT, color: 'B00000' })]
		}),
		new Paragraph({
			alignment: AlignmentType.CENTER,
			spacing: { after: 240 },
			border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: 'B00000', space: 6 } },
			children: [new TextRun({ text: doc.subtitle, size: 22, font: FONT })]
		})
	];
	for (const s of doc.sections) {
		body.push(
			new Paragraph({
				heading: HeadingLevel.HEADING_1,
				spacing: { before: 280, after: 120 },
				children: [new TextRun({ text: s.heading, bold: true, size: 28, font: HEADING_FONT, color: '000000' })]
			})
		);
		for (const p of s.paragraphs)
			body.push(new Paragraph({ indent: { firstLine: 480 }, spacing: { after: 120, line: 360 }, children: [new TextRun({ text: p, size: 24, font: FONT })] }));
		for (const t of s.tables) body.push(...tableBlocks(t));
	}
	body.push(new Paragraph({ spacing: { before: 360 }, children: [new TextRun({ text: doc.source, size: 18, color: '666666', font: FONT })] }));

	const document = new Document({
		title: doc.title,
		creator: '民情 12345 热线分析系统',
		description: doc.subtitle,
		styles: { default: { document: { run: { font: FONT, size: 24 } } } },
		sections: [
			{
				properties: { page: { margin: { top: 1440, bottom: 1440, left: 1440, right: 1440 } } },
				footers: {
					default: new Footer({
						children: [
							new Paragraph({
								alignment: AlignmentType.CENTER,
								children: [
									new TextRun({ text: `${doc.footer} · 第 `, size: 18, color: '666666', font: FONT }),
									new TextRun({ children: [PageNumber.CURRENT], size: 18, color: '666666' }),
									new TextRun({ text: ' 页，共 ', size: 18, color: '666666', font: FONT }),
									new TextRun({ children: [PageNumber.TOTAL_PAGES], size: 18, color: '666666' }),
									new TextRun({ text: ' 页', size: 18, color: '666666', font: FONT })
								]
							})
						]
					})
				},
				children: body
			}
		]
	});
	return Packer.toBuffer(document);
}
