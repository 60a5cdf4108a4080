import { error } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { TopicNotFound, topicDetail } from '$lib/server/text/topics';
import { districtShapes } from '$lib/server/geo';
import type { PageServerLoad } from './$types';

const MAP_W = 480;
const MAP_H = 400;

export const load: PageServerLoad = async ({ locals, params }) => {
	requireScreen(locals, '/topics');
	const id = Number(params.id);
	if (!Number.isInteger(id) || id < 0) error(404, { message: `话题编号「${params.id}」无效`, code: 'not_found' });
	const a = await app();
	try {
		return { detail: await topicDetail(a.analytics.conn, a.ref, id), shapes: districtShapes(a.ref, MAP_W, MAP_H), map: { width: MAP_W, height: MAP_H } };
	} catch (e) {
		if (e instanceof TopicNotFound) error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};
