// GET /api/v1/lexicon[?kind=term|stop] (admin) → { entries: [{ kind, kindLabel, word, freq, weight, tag, tagLabel, active,
//   added, editedAt, editedBy, version }] }: the segmentation dictionary's terms and stop words, the files' and those
//   changed in 设置 › 词典.
// POST /api/v1/lexicon { kind: term | stop, word, weight?: core | common | rare, tag? } (admin) → 201 { entry,
//   reanalysed } with Location: /api/v1/lexicon/{kind}/{word}; reanalysed: the analysed tickets containing the word,
//   marked for analysis again (the analysis itself runs in the background), or null when the marking still waits in the
//   ingest queue behind a longer job after REANALYSIS_WAIT_MS.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { addLexiconEntry, lexiconAdmin, reanalysedWithin, REANALYSIS_WAIT_MS, lexiconForAdmin, LEXICON_KINDS, type LexiconKind } from '$lib/server/lexicon';
import { dictionaryChanged } from '$lib/server/text/service';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const kind = url.searchParams.get('kind');
		if (kind !== null && !(LEXICON_KINDS as readonly string[]).includes(kind))
			throw new CaseError('invalid_input', `未知词典类别「${kind}」，可选：term（词条）、stop（停用词）`, 'kind');
		return json({ entries: await lexiconForAdmin(lexiconAdmin(await app(), user), (kind as LexiconKind | null) ?? undefined) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const a = await app();
		const r = await addLexiconEntry(lexiconAdmin(a, user, (words) => dictionaryChanged(a, words)), await jsonBody(request));
		const location = `/api/v1/lexicon/${r.entry.kind}/${encodeURIComponent(r.entry.word)}`;
		return json({ entry: r.entry, reanalysed: await reanalysedWithin(r, REANALYSIS_WAIT_MS) }, { status: 201, headers: { location } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
