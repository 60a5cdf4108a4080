// Realistic canonical feed files for ingest tests and benchmarks, made with the demo generator's text, places and
// handling times (a legacy system's export of history: closed tickets), with an optional share of bad lines.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { defaultCalendar } from '../../pipelines/calendar/index';
import { loadCorpus } from '../../pipelines/demo/corpus';
import { DemoGenerator } from '../../pipelines/demo/generate';
import { loadReference } from '../../pipelines/reference/index';
import { formatShanghai } from '../../pipelines/normalize/index';
import { ticketText } from '../../pipelines/text/enrich';

export interface FeedOptions {
	records: number;
	seed?: number;
	/** every n-th line is malformed (0: none) */
	badEvery?: number;
	now?: number;
	days?: number;
}

/** The demo generator behind a feed of `o.records` tickets (the same tickets for the same options). */
function feedGenerator(o: FeedOptions): DemoGenerator {
	const ref = loadReference();
	const corpus = loadCorpus(new URL('../../data', import.meta.url).pathname, ref);
	return new DemoGenerator(ref, corpus, defaultCalendar(), {
		tickets: o.records,
		days: o.days ?? 365,
		seed: o.seed ?? 99,
		now: o.now ?? Date.parse('2026-11-01T00:00:00+08:00'),
		recentDays: 0
	});
}

/** The texts (title and content, as the text analysis joins them) of a feed's tickets, without writing the feed. */
export function feedTexts(o: FeedOptions): string[] {
	const texts: string[] = [];
	for (const day of feedGenerator(o).days()) for (const f of day.facts) texts.push(ticketText(f.title, f.content));
	return texts;
}

const time = (ms: number | null) => (ms === null ? undefined : formatShanghai(ms));

export async function writeFeed(path: string, o: FeedOptions): Promise<{ lines: number; bad: number }> {
	const gen = feedGenerator(o);
	const out = createWriteStream(path);
	let lines = 0;
	let bad = 0;
	for (const day of gen.days()) {
		let chunk = '';
		for (const f of day.facts) {
			lines++;
			if (o.badEvery && lines % o.badEvery === 0) {
				bad++;
				chunk += lines % (2 * o.badEvery) === 0 ? `{"external_id": "${f.ticket_no}", "broken\n` : `${JSON.stringify({ external_id: f.ticket_no, channel: f.channel, type: f.type, content: f.content })}\n`;
				continue;
			}
			const rec = {
				external_id: f.ticket_no,
				received_at: formatShanghai(f.received_at),
				updated_at: formatShanghai(f.updated_at),
				channel: f.channel,
				type: f.type,
				title: f.title,
				content: f.content,
				address: f.address,
				district_code: f.district_code,
				street_code: f.street_code,
				lon: f.lon ?? undefined,
				lat: f.lat ?? undefined,
				category: f.category_code,
				unit: f.unit_code ?? undefined,
				status: 'closed',
				// the handling times a legacy system's export carries with its history
				sign_deadline: time(f.sign_deadline),
				signed_at: time(f.signed_at),
				reply_deadline: time(f.reply_deadline),
				replied_at: time(f.replied_at),
				closed_at: formatShanghai(f.closed_at ?? f.updated_at),
				satisfaction: f.satisfaction ?? undefined
			};
			chunk += `${JSON.stringify(rec)}\n`;
		}
		if (!out.write(chunk)) await once(out, 'drain');
	}
	out.end();
	await once(out, 'finish');
	return { lines, bad };
}
