import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { alertStatus } from '$lib/server/alerts/service';
import { storeHealth } from '$lib/server/health';
import { textRounds } from '$lib/server/text/service';

/**
 * Liveness: whether the relational store answers (503 with ok false and `down` naming it when it does not: sign-ins
 * would fail), the relational store in use, and how many background rounds (text analysis, detection) have finished.
 */
export const GET = async () => {
	const a = await app();
	const health = await storeHealth(a);
	const body = { ok: health.ok, relational: a.rel.kind, demo: a.config.demo, rounds: { text: textRounds(), detection: alertStatus().rounds } };
	if (health.ok) return json(body);
	return json({ ...body, down: health.down }, { status: 503, headers: { 'cache-control': 'no-store' } });
};
