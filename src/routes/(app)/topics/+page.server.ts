import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { textStatus } from '$lib/server/text/service';
import { topicsOverview } from '$lib/server/text/topics';
import { sentimentBreakdown, termsView } from '$lib/server/text/terms';
import { shanghaiDayHour } from '$pipelines/warehouse/facts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	requireScreen(locals, '/topics');
	const a = await app();
	const overview = await topicsOverview(a.analytics.conn, a.ref);
	const status = await textStatus(a);
	const today = shanghaiDayHour(Date.now()).day;
	const terms = await termsView(a.analytics.conn, { to: today });
	// sentiment over the topic run's period (or the last 30 days before the first run)
	const from = overview.run?.periodFrom ?? new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
	const sentiment = await sentimentBreakdown(a.analytics.conn, a.ref, { from, to: today });
	return { overview, status, terms, sentiment: { from, to: today, ...sentiment } };
};
