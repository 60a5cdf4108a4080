// Text that people type over several lines (knowledge answers, ticket content, notes, replies, alert notes) is
// shown with its line breaks. A check of the markup, not a rendering: the places below show such text only
// after a request in the browser (the intake's knowledge articles) or with the data of a whole page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The class names of the element whose content starts with `expr` (the tag just before it). */
function classesAround(source: string, expr: string): string[] {
	const at = source.indexOf(expr);
	if (at < 0) throw new Error(`${expr} not found`);
	const tag = source.slice(source.lastIndexOf('<', at), at);
	return /\bclass="([^"]*)"/.exec(tag)?.[1].split(/\s+/) ?? [];
}

/** Whether a stylesheet gives the class a white-space that keeps line breaks. */
function keepsLines(css: string, cls: string): boolean {
	return [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].some(
		([, selector, body]) => new RegExp(`\\.${cls}(?![\\w-])`).test(selector) && /white-space:\s*pre-(wrap|line)/.test(body)
	);
}

const PLACES: [file: string, expr: string][] = [
	// the 受理 assistant's knowledge articles
	['routes/(app)/intake/+page.svelte', '{a.answer}'],
	// a ticket: its content, the notes and replies of its timeline, an extension's reason
	['routes/(app)/tickets/[no]/+page.svelte', '{d.content}'],
	['routes/(app)/tickets/[no]/+page.svelte', '{e.note}'],
	['routes/(app)/tickets/[no]/+page.svelte', '{d.extension.reason}'],
	// a topic's representative tickets
	['routes/(app)/topics/[id]/+page.svelte', '{k.content}'],
	// an alert's notes (escalation reasons, results, dismissals)
	['routes/(app)/alerts/[id]/+page.svelte', "{e.note || '—'}"]
];

describe('multi-line text', () => {
	const global = read('lib/ui/app.css');
	it.each(PLACES)('%s shows %s with its line breaks', (file, expr) => {
		const source = read(file);
		const style = source.slice(source.indexOf('<style>'));
		const classes = classesAround(source, expr);
		expect(classes.some((c) => keepsLines(style, c) || keepsLines(global, c)), `${expr}: class="${classes.join(' ')}"`).toBe(true);
	});
});
