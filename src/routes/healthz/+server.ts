import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';

export const GET = async () => {
	const a = await app();
	return json({ ok: true, relational: a.rel.kind, demo: a.config.demo });
};
