import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { alertStatus } from '$lib/server/alerts/service';
import { textRounds } from '$lib/server/text/service';

/** Liveness, the relational store in use, and how many background rounds (text analysis, detection) have finished. */
export const GET = async () => {
	const a = await app();
	return json({ ok: true, relational: a.rel.kind, demo: a.config.demo, rounds: { text: textRounds(), detection: alertStatus().rounds } });
};
