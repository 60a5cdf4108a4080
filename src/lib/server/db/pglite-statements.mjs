// Named prepared statements for the embedded PostgreSQL (PGlite): a statement text run again is parsed once and
// then only bound and executed, as node-postgres does with named queries and postgres.js with every query.
// PGlite's own query() parses and describes each text anew (an unnamed statement), which for a statement as long
// as the intake's insert (five CTEs) costs about as much as running it; npm run bench -- intake shows what that
// does to registrations. Plain JavaScript, beside pglite-worker.mjs, which uses it.
//
// The same protocol steps as PGlite's query() (Parse and Describe once per text; then Bind, Describe, Execute,
// Sync), under the same locks, and the same result parsing.
import { parse, protocol } from '@electric-sql/pglite';

const { serialize } = protocol;

/** @typedef {import('@electric-sql/pglite').QueryOptions} QueryOptions */
/** @typedef {import('@electric-sql/pglite').Results} Results */
/** @typedef {import('@electric-sql/pglite').PGlite | import('@electric-sql/pglite').Transaction} Target */

/** A text is prepared on its second use, so that texts run once (literal values inlined) never take a slot. */
export const PREPARE_AFTER = 2;
/** At most this many prepared statements; the least recently used one is closed to make room. */
export const MAX_PREPARED = 200;
/** Uses are counted for at most this many texts not (yet) prepared; the count starts afresh beyond it. */
const MAX_COUNTED = 5_000;
/**
 * Schema changes: a prepared `SELECT *` or `RETURNING *` whose table gains or loses a column fails with "cached plan
 * must not change result type", so every such statement through the store closes all prepared statements.
 */
const SCHEMA_CHANGE = /^\s*(create|alter|drop|truncate|comment|rename|reindex|cluster|grant|revoke)\b/i;

export class PreparedStatements {
	/** @param {import('@electric-sql/pglite').PGlite} db */
	constructor(db) {
		this.db = db;
		/** @type {Map<string, { name: string, paramTypes: number[] }>} text → statement, least recently used first */
		this.prepared = new Map();
		/** @type {Map<string, number>} text → uses so far, for texts not prepared */
		this.uses = new Map();
		this.next = 1;
	}

	/**
	 * Runs a query as `target.query` would, through a prepared statement from the text's second use on.
	 * `target`: the database, or the transaction the caller holds (`inTransaction`: the statement runs in it, and
	 * the files are synced at its end, not here). After a schema change every prepared statement is closed.
	 * @param {Target} target
	 * @param {string} sql
	 * @param {unknown[]} [params]
	 * @param {QueryOptions} [options]
	 * @returns {Promise<Results>}
	 */
	async query(target, sql, params = [], options = {}, inTransaction = false) {
		const r = this.#wants(sql, options)
			? await this.#runPrepared(sql, params, options, inTransaction)
			: await target.query(sql, params, options);
		await this.#afterStatement(sql, inTransaction, false);
		return r;
	}

	/**
	 * Runs a text of several statements (the simple protocol) as `target.exec` would. Whatever it starts with, it
	 * counts as a schema change.
	 * @param {Target} target
	 * @param {string} sql
	 * @returns {Promise<Results[]>}
	 */
	async exec(target, sql, inTransaction = false) {
		const rs = await target.exec(sql);
		await this.#afterStatement(sql, inTransaction, true);
		return rs;
	}

	/**
	 * True when `sql` should go through a prepared statement (counts its use).
	 * @param {string} sql
	 * @param {QueryOptions} options
	 */
	#wants(sql, options) {
		if (options.paramTypes || options.blob) return false;
		if (this.prepared.has(sql)) return true;
		if (SCHEMA_CHANGE.test(sql)) return false;
		const n = (this.uses.get(sql) ?? 0) + 1;
		if (n >= PREPARE_AFTER) {
			this.uses.delete(sql);
			return true;
		}
		if (this.uses.size >= MAX_COUNTED) this.uses.clear();
		this.uses.set(sql, n);
		return false;
	}

	/**
	 * `sql` through its prepared statement (prepared first if need be), under PGlite's locks as its query() takes them.
	 * @param {string} sql
	 * @param {unknown[]} params
	 * @param {QueryOptions} options
	 * @param {boolean} inTransaction
	 * @returns {Promise<Results>}
	 */
	async #runPrepared(sql, params, options, inTransaction) {
		const run = () => this.db._runExclusiveQuery(() => this.#protocol(sql, params, options, inTransaction));
		await this.db._checkReady();
		return inTransaction ? run() : this.db._runExclusiveTransaction(run);
	}

	/**
	 * After a statement that may have changed the schema (`script`: a text of several statements), every prepared
	 * statement is closed.
	 * @param {string} sql
	 * @param {boolean} inTransaction
	 * @param {boolean} script
	 */
	async #afterStatement(sql, inTransaction, script) {
		if (!(script || SCHEMA_CHANGE.test(sql)) || !this.prepared.size) return;
		const names = [...this.prepared.values()].map((s) => s.name);
		this.prepared.clear();
		const close = async () => {
			try {
				for (const name of names) await this.#send(serialize.close({ type: 'S', name }));
			} finally {
				await this.#send(serialize.sync());
			}
		};
		const run = () => this.db._runExclusiveQuery(close);
		if (inTransaction) await run();
		else await this.db._runExclusiveTransaction(run);
	}

	/** @param {Uint8Array} message */
	#send(message) {
		return this.db.execProtocolStream(message, { syncToFs: false });
	}

	/**
	 * @param {string} sql
	 * @param {unknown[]} params
	 * @param {QueryOptions} options
	 * @param {boolean} inTransaction
	 * @returns {Promise<Results>}
	 */
	async #protocol(sql, params, options, inTransaction) {
		const messages = [];
		try {
			let st = this.prepared.get(sql);
			if (st) {
				// most recently used last
				this.prepared.delete(sql);
				this.prepared.set(sql, st);
			} else {
				if (this.prepared.size >= MAX_PREPARED) {
					const [oldText, old] = /** @type {[string, { name: string }]} */ (this.prepared.entries().next().value);
					this.prepared.delete(oldText);
					await this.#send(serialize.close({ type: 'S', name: old.name }));
				}
				const name = `minqing_${this.next++}`;
				await this.#send(serialize.parse({ name, text: sql }));
				const paramTypes = parse.parseDescribeStatementResults(await this.#send(serialize.describe({ type: 'S', name })));
				st = { name, paramTypes };
				this.prepared.set(sql, st);
			}
			const types = st.paramTypes;
			const values = params.map((v, i) => {
				if (v === null || v === undefined) return null;
				const serializer = options.serializers?.[types[i]] ?? this.db.serializers[types[i]];
				return serializer ? serializer(v) : String(v);
			});
			messages.push(
				...(await this.#send(serialize.bind({ statement: st.name, values }))),
				...(await this.#send(serialize.describe({ type: 'P' }))),
				...(await this.#send(serialize.execute({})))
			);
		} catch (e) {
			// as PGlite's query(): the error carries its statement
			if (e && typeof e === 'object') Object.assign(e, { query: sql, params });
			throw e;
		} finally {
			messages.push(...(await this.#send(serialize.sync())));
		}
		if (!inTransaction) await this.db.syncToFs();
		return parse.parseResults(messages, this.db.parsers, options)[0];
	}
}
