import { fail } from '@sveltejs/kit';
import { ALERT_ERROR_STATUS } from '$lib/server/alerts/http';
import { endSilence, saveWatchlistAndDetect, sendTestMessage, startSilence } from '$lib/server/alerts/service';
import {
	deleteWebhook,
	listSilences,
	listWatchlists,
	listWebhooks,
	recentDeliveries,
	saveWebhook,
	FAMILY_LABELS,
	SILENCE_LABEL_NAMES,
	SILENCE_LABELS,
	WEBHOOK_FORMAT_LABELS,
	WEBHOOK_FORMATS,
	type AlertLabels
} from '$lib/server/alerts/settings';
import { AlertError, SEVERITY_LABELS } from '$lib/server/alerts/store';
import { hasUserinfo, withoutSecrets } from '$lib/server/alerts/notify';
import { app } from '$lib/server/app';
import { shanghaiMinute } from '$lib/charts/format';
import { placeName } from '$pipelines/reference/index';
import { requireScreen } from '$lib/server/guard';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';
/** A datetime-local value read as Asia/Shanghai; an invalid Date for anything else. */
function fromLocalInput(s: string): Date {
	return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s) ? new Date(`${s}:00+08:00`) : new Date(NaN);
}

/** Terms or codes typed one per line or separated by 、，, ; or spaces. */
function splitList(s: string): string[] {
	return s
		.split(/[\n\r、，,；;\s]+/)
		.map((x) => x.trim())
		.filter(Boolean);
}

function optionalId(v: FormDataEntryValue | null): number | null {
	const s = String(v ?? '').trim();
	return /^\d{1,9}$/.test(s) ? Number(s) : null;
}

export const load: PageServerLoad = async ({ locals }) => {
	requireScreen(locals, SCREEN);
	const a = await app();
	const db = a.rel.db;
	const now = Date.now();
	const [lists, silenceRows, hooks, deliveries] = await Promise.all([
		listWatchlists(db),
		listSilences(db),
		listWebhooks(db),
		recentDeliveries(db, { limit: 50 })
	]);
	const listName = new Map(lists.map((w) => [w.slug, w.name]));
	const describe = (k: string, v: string): string => {
		if (k === 'watchlist') return listName.get(v) ?? v;
		if (k === 'category') return `${a.ref.categoryByCode.get(v)?.path ?? v}（${v}）`;
		if (k === 'district' || k === 'street') return placeName(a.ref, k, v);
		if (k === 'family') return FAMILY_LABELS[v] ?? v;
		if (k === 'severity') return SEVERITY_LABELS[Number(v)] ?? v;
		return v;
	};
	return {
		watchlists: lists.map((w) => ({
			id: w.id,
			slug: w.slug,
			name: w.name,
			terms: w.terms,
			categories: w.categories.map((c) => ({ code: c, name: a.ref.categoryByCode.get(c)?.path ?? c })),
			severity: w.severity,
			unit: w.unitCode,
			unitName: w.unitCode ? (a.ref.unitByCode.get(w.unitCode)?.name ?? w.unitCode) : null,
			enabled: w.enabled,
			updatedAt: w.updatedAt.toISOString(),
			version: w.version
		})),
		silences: silenceRows.map((s) => ({
			id: s.id,
			matchers: Object.entries(s.matchers as AlertLabels).map(([k, v]) => ({
				label: SILENCE_LABEL_NAMES[k as keyof typeof SILENCE_LABEL_NAMES] ?? k,
				value: describe(k, String(v))
			})),
			startsAt: s.startsAt.toISOString(),
			endsAt: s.endsAt.toISOString(),
			comment: s.comment,
			// ended before it began (立即结束 on a pending one): it never applied
			state: s.endsAt <= s.startsAt ? 'cancelled' : s.endsAt.getTime() <= now ? 'expired' : s.startsAt.getTime() > now ? 'pending' : 'active'
		})),
		// the DingTalk secret never goes to the browser: only whether one is set
		webhooks: hooks.map((h) => ({
			id: h.id,
			name: h.name,
			// shown and edited without a user name and password (refused since: such an address can never be sent, and
			// saving the form as shown corrects it) and with its secrets masked (a robot's access_token or key: whoever
			// reads it can post to the group); saving a masked value keeps the stored one (saveWebhook)
			url: withoutSecrets(h.url),
			userinfo: hasUserinfo(h.url),
			format: h.format,
			hasSecret: !!h.secret,
			minSeverity: h.minSeverity,
			enabled: h.enabled,
			version: h.version
		})),
		deliveries,
		options: {
			districts: a.ref.districts.map((d) => ({ code: d.code, name: d.name })),
			formats: WEBHOOK_FORMATS.map((f) => ({ key: f, label: WEBHOOK_FORMAT_LABELS[f] })),
			families: Object.entries(FAMILY_LABELS).map(([key, label]) => ({ key, label })),
			labels: SILENCE_LABELS.map((k) => ({ key: k, label: SILENCE_LABEL_NAMES[k] }))
		},
		defaults: { silenceFrom: shanghaiMinute(now), silenceTo: shanghaiMinute(now + 2 * 3_600_000) }
	};
};

function failWith(form: string, e: unknown, values: Record<string, unknown> = {}) {
	if (e instanceof AlertError) return fail(ALERT_ERROR_STATUS[e.code], { form, message: e.message, values });
	throw e;
}

export const actions: Actions = {
	watchlist: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const id = optionalId(f.get('id'));
		const formKey = id === null ? 'watchlist-new' : `watchlist-${id}`;
		const values = {
			slug: String(f.get('slug') ?? ''),
			name: String(f.get('name') ?? ''),
			terms: String(f.get('terms') ?? ''),
			categories: String(f.get('categories') ?? ''),
			severity: String(f.get('severity') ?? ''),
			unit: String(f.get('unit') ?? ''),
			enabled: f.get('enabled') === 'on',
			// the version shown: a save after another's is refused (409) with what was typed kept
			version: String(f.get('version') ?? '')
		};
		try {
			const row = await saveWatchlistAndDetect(
				await app(),
				{
					slug: values.slug,
					name: values.name,
					terms: splitList(values.terms),
					categories: splitList(values.categories),
					severity: Number(values.severity),
					unit: values.unit.trim() || null,
					enabled: values.enabled,
					version: values.version
				},
				id,
				user.username
			);
			return { form: formKey, saved: `关注词表「${row.name}」已保存，新一轮检测已开始` };
		} catch (e) {
			return failWith(formKey, e, values);
		}
	},

	silence: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = Object.fromEntries([...SILENCE_LABELS, 'startsAt', 'endsAt', 'comment'].map((k) => [k, String(f.get(k) ?? '')]));
		const matchers: AlertLabels = {};
		for (const k of SILENCE_LABELS) if (values[k].trim()) matchers[k] = values[k].trim();
		try {
			const a = await app();
			await startSilence(a, { matchers, startsAt: fromLocalInput(values.startsAt), endsAt: fromLocalInput(values.endsAt), comment: values.comment }, user.id, new Date(), user.username);
			return { form: 'silence', saved: '静默规则已创建：匹配的预警照常记录，但不发送通知' };
		} catch (e) {
			return failWith('silence', e, values);
		}
	},

	expireSilence: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const id = optionalId((await request.formData()).get('id'));
		if (id === null) return fail(400, { form: 'silence-list', message: '静默规则编号无效', values: {} });
		try {
			await endSilence(await app(), id, user.username);
			return { form: 'silence-list', saved: `静默规则 #${id} 已结束` };
		} catch (e) {
			return failWith('silence-list', e);
		}
	},

	webhook: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const id = optionalId(f.get('id'));
		const formKey = id === null ? 'webhook-new' : `webhook-${id}`;
		const values = {
			name: String(f.get('name') ?? ''),
			url: String(f.get('url') ?? ''),
			format: String(f.get('format') ?? ''),
			minSeverity: String(f.get('minSeverity') ?? ''),
			enabled: f.get('enabled') === 'on',
			version: String(f.get('version') ?? '')
		};
		// editing: an empty secret keeps the stored one unless 清除 is ticked
		const typed = String(f.get('secret') ?? '').trim();
		const secret = typed || (f.get('clearSecret') === 'on' ? null : undefined);
		try {
			const row = await saveWebhook((await app()).rel.db, { ...values, minSeverity: Number(values.minSeverity), secret }, id, user.username);
			return { form: formKey, saved: `通知地址「${row.name}」已保存` };
		} catch (e) {
			return failWith(formKey, e, values);
		}
	},

	deleteWebhook: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const id = optionalId((await request.formData()).get('id'));
		if (id === null) return fail(400, { form: 'webhook-list', message: '通知地址编号无效', values: {} });
		try {
			await deleteWebhook((await app()).rel.db, id, user.username);
		} catch (e) {
			return failWith('webhook-list', e);
		}
		return { form: 'webhook-list', saved: `通知地址 #${id} 已删除（发送记录保留）` };
	},

	/** Sends one clearly labelled test message (one attempt; not stored with the alerts' deliveries). */
	testWebhook: async ({ locals, request }) => {
		requireScreen(locals, SCREEN);
		const id = optionalId((await request.formData()).get('id'));
		const form = `webhook-test-${id}`;
		if (id === null) return fail(400, { form, message: '通知地址编号无效', values: {} });
		try {
			const { ok, last } = await sendTestMessage(await app(), id);
			if (ok) return { form, saved: `测试消息已送达（HTTP ${last?.httpStatus ?? '—'}）` };
			return fail(502, {
				form,
				message: `测试消息发送失败：${last?.error ?? '未知错误'}${last?.httpStatus ? `（HTTP ${last.httpStatus}）` : ''}`,
				values: {}
			});
		} catch (e) {
			return failWith(form, e);
		}
	}
};
