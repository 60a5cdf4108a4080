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

function tableBlocks(t: SectionTable): (Paragraph | Table)[] {
	const out: (Paragraph | Table)[] = [];
	if (t.caption) out.push(new Paragraph({ spacing: { before: 120, after: 60 }, children: [new TextRun({ text: t.caption, bold: true, size: 21, font: HEADING_FONT })] }));
	if (!t.rows.length) {
		out.push(new Paragraph({ children: [new TextRun({ text: t.empty, size: 20, color: '666666', font: FONT })] }));
	} else {
		out.push(
			new Table({
				width: { size: 100, type: WidthType.PERCENTAGE },
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
