import { error, redirect } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { tidyTicketNo } from '$lib/server/cases/input';
import { RecordNotFound, ticketArchive } from '$lib/server/analytics/ticket-record';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireScreen(locals, '/search');
	// a number typed into the address bar (sz20261202-000009, a space after it): the record's own address
	const no = tidyTicketNo(params.no);
	if (no !== params.no) redirect(302, `/search/${encodeURIComponent(no)}${url.search}`);
	try {
		return { archive: await ticketArchive(await app(), user, no) };
	} catch (e) {
		if (e instanceof RecordNotFound) error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};
