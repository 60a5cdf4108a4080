// The embedded PostgreSQL (PGlite) in a thread of its own: PGlite runs every statement synchronously in
// WebAssembly on the thread that owns it, so on the server's main thread each query stalled the HTTP handling
// for its whole duration. Here it runs beside it, and the main thread only passes messages (pglite-remote.ts).
// Plain JavaScript, so that the built server and the tests load it as it is.
//
// Messages in: { id, type: 'query', sql, params, rowMode, raw, tx } · { id, type: 'exec', sql, tx } ·
// { id, type: 'begin', tx } (answered once the transaction holds the database) · { id, type: 'end', tx, commit }
// (answered after COMMIT or ROLLBACK) · { id, type: 'close' }. Out: { id, ok: true, result } or { id, ok: false, error }.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import { threadId } from '../../../../pipelines/segment/thread-id.mjs';
import { PreparedStatements } from './pglite-statements.mjs';

/** drizzle's pglite driver leaves dates, times and intervals as text and maps them itself: the same here. */
const RAW_TEMPORAL = Object.fromEntries(
	[types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((t) => [t, (v) => v])
);
const ROLLBACK = Symbol('rollback');

/** An error as plain data: its message and the fields PostgreSQL gives (code, detail, constraint, …). */
function plain(e) {
	if (!(e instanceof Error)) return { message: String(e) };
	const out = { message: e.message, name: e.name };
	for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
	return out;
}

const reply = (id, result) => parentPort.postMessage({ id, ok: true, result });
const fail = (id, e) => parentPort.postMessage({ id, ok: false, error: plain(e) });

let db;
try {
	db = workerData.dir ? new PGlite(workerData.dir) : new PGlite();
	await db.waitReady;
	// this thread's id, so that the server keeps it at the default CPU priority (src/lib/server/threads.ts)
	parentPort.postMessage({ type: 'ready', tid: threadId() });
} catch (e) {
	parentPort.postMessage({ type: 'init-error', error: plain(e) });
	process.exit(1);
}

/** statement texts run again are prepared once (pglite-statements.mjs) */
const statements = new PreparedStatements(db);

/** open transactions by id: the PGlite transaction and how to end it */
const open = new Map();

function target(tx) {
	if (!tx) return db;
	const t = open.get(tx);
	if (!t) throw new Error(`transaction ${tx} is not open`);
	return t.tx;
}

parentPort.on('message', (m) => {
	switch (m.type) {
		case 'query': {
			let q;
			try {
				const options = { rowMode: m.rowMode, parsers: m.raw ? RAW_TEMPORAL : undefined };
				q = statements.query(target(m.tx), m.sql, m.params, options, !!m.tx);
			} catch (e) {
				return fail(m.id, e);
			}
			q.then(
				(r) => reply(m.id, { rows: r.rows, fields: r.fields, affectedRows: r.affectedRows }),
				(e) => fail(m.id, e)
			);
			return;
		}
		case 'exec': {
			let q;
			try {
				q = statements.exec(target(m.tx), m.sql, !!m.tx);
			} catch (e) {
				return fail(m.id, e);
			}
			q.then(
				(rs) =>
					reply(
						m.id,
						rs.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows }))
					),
				(e) => fail(m.id, e)
			);
			return;
		}
		case 'begin': {
			let endId = null;
			db.transaction(async (tx) => {
				const commit = await new Promise((resolve) => {
					open.set(m.tx, { tx, end: (id, c) => ((endId = id), resolve(c)) });
					reply(m.id, null);
				});
				if (!commit) throw ROLLBACK;
			}).then(
				() => {
					open.delete(m.tx);
					reply(endId, null);
				},
				(e) => {
					open.delete(m.tx);
					if (e === ROLLBACK) reply(endId, null);
					else if (endId !== null) fail(endId, e);
					else fail(m.id, e);
				}
			);
			return;
		}
		case 'end': {
			const t = open.get(m.tx);
			if (!t) return fail(m.id, new Error(`transaction ${m.tx} is not open`));
			t.end(m.id, m.commit);
			return;
		}
		case 'close':
			db.close().then(
				() => reply(m.id, null),
				(e) => fail(m.id, e)
			);
			return;
	}
});
