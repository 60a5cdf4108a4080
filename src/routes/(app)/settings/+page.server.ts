import { listSilences, listWatchlists, listWebhooks } from '$lib/server/alerts/settings';
import { app } from '$lib/server/app';
import { categoryInUse } from '$lib/server/categories';
import { listUsers } from '$lib/server/auth';
import { countArticles } from '$lib/server/cases/knowledge';
import { calendarCoverage } from '$lib/server/cases/limits';
import { requireScreen } from '$lib/server/guard';
import { lexiconAdmin, lexiconForAdmin } from '$lib/server/lexicon';
import { routingAdmin, routingForAdmin } from '$lib/server/routing';
import { auditSummary } from '$lib/server/audit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireScreen(locals, '/settings');
	const a = await app();
	const db = a.rel.db;
	const now = Date.now();
	const coverage = calendarCoverage(a.calendar, now);
	const [lists, silences, hooks, kb, accounts, words, rules, audit] = await Promise.all([
		listWatchlists(db),
		listSilences(db),
		listWebhooks(db),
		countArticles(db),
		listUsers(db),
		lexiconForAdmin(lexiconAdmin(a, user)),
		routingForAdmin(routingAdmin(a, user)),
		auditSummary(db, now)
	]);
	return {
		alerts: {
			watchlists: lists.length,
			enabled: lists.filter((w) => w.enabled).length,
			silences: silences.filter((s) => s.startsAt.getTime() <= now && s.endsAt.getTime() > now).length,
			webhooks: hooks.filter((h) => h.enabled).length,
			limitsNote: coverage.message,
			limitsFileError: coverage.fileError !== null
		},
		knowledge: kb,
		users: { all: accounts.length, active: accounts.filter((u) => u.active).length },
		units: { all: a.ref.units.length, active: a.ref.units.filter((u) => u.active).length },
		routing: { all: rules.length, set: rules.filter((r) => r.set).length, stopped: rules.filter((r) => r.stopped).length },
		lexicon: {
			terms: words.filter((w) => w.kind === 'term' && w.active).length,
			stops: words.filter((w) => w.kind === 'stop' && w.active).length,
			changed: words.filter((w) => w.editedAt !== null).length
		},
		categories: { all: a.ref.categories.length, inUse: a.ref.categories.filter((c) => categoryInUse(a.ref, c.code)).length },
		audit
	};
};
