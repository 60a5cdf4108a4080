// The main thread's side of the embedded PostgreSQL running in its own thread (pglite-worker.mjs): the part
// of PGlite's client interface drizzle's pglite driver uses — query, exec, transaction, close — passed over as
// messages. Statements run one at a time in the worker as they did in the main thread (PGlite serialises them
// and holds other work back while a transaction is open); the main thread meanwhile answers HTTP requests.
//
// drizzle passes its own type parsers with each query; they are always the same (dates, times and intervals
// left as text), so the worker applies that set itself when a query asks for parsers (`raw`).
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { moduleFile, workerStarted } from '$pipelines/segment/worker-start';
import { markForeground } from '../threads';

export interface Results<T = Record<string, unknown>> {
	rows: T[];
	fields: { name: string; dataTypeID: number }[];
	affectedRows?: number;
}

interface QueryOptions {
	rowMode?: 'array' | 'object';
	parsers?: Record<number, unknown>;
}

/** What drizzle's pglite session calls on a client and on a transaction. */
export interface PgliteLike {
	query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
	exec(sql: string): Promise<Results[]>;
}

/** An error of the worker, rebuilt with PostgreSQL's fields (code, detail, constraint, …) for the callers that read them. */
export class RemoteDatabaseError extends Error {
	code?: string;
	constructor(data: { message: string; name?: string } & Record<string, unknown>) {
		super(data.message);
		Object.assign(this, data);
		this.name = data.name && data.name !== 'Error' ? data.name : 'DatabaseError';
	}
}

/** The worker script: beside this module, or found under the repository when this module is bundled into the server build. */
const workerFile = () => moduleFile(import.meta.url, 'src/lib/server/db/pglite-worker.mjs');

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

export class RemotePglite implements PgliteLike {
	private next = 1;
	private nextTx = 1;
	private readonly pending = new Map<number, Pending>();
	private dead: Error | null = null;

	private constructor(private readonly worker: Worker) {
		worker.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: { message: string } }) => {
			if (m.id === undefined) return;
			const p = this.pending.get(m.id);
			if (!p) return;
			this.pending.delete(m.id);
			if (!this.pending.size) worker.unref();
			if (m.ok) p.resolve(m.result);
			else p.reject(new RemoteDatabaseError(m.error!));
		});
		const die = (e: Error) => {
			this.dead ??= e;
			for (const p of this.pending.values()) p.reject(this.dead);
			this.pending.clear();
		};
		worker.on('error', (e) => die(new Error(`PGlite worker failed: ${e.message}`)));
		worker.on('exit', (code) => die(new Error(`PGlite worker exited (code ${code})`)));
		// an idle worker does not keep the process alive (as PGlite in the main thread did not)
		worker.unref();
	}

	/** Starts the worker on a data directory (undefined: in memory) and waits until PGlite is ready. */
	static async open(dir?: string): Promise<RemotePglite> {
		const worker = new Worker(pathToFileURL(workerFile()), { workerData: { dir } });
		const tid = await workerStarted(worker, 'PGlite worker', (error) => new RemoteDatabaseError(error as { message: string }));
		// it answers the requests' queries: it keeps the default CPU priority when the background threads are lowered
		markForeground(tid);
		return new RemotePglite(worker);
	}

	/** Why the worker stopped (it failed or exited), or null while it runs. */
	get failure(): Error | null {
		return this.dead;
	}

	private call<T>(msg: Record<string, unknown>): Promise<T> {
		if (this.dead) return Promise.reject(this.dead);
		const id = this.next++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			if (this.pending.size === 1) this.worker.ref();
			this.worker.postMessage({ ...msg, id });
		});
	}

	query<T>(sql: string, params: unknown[] = [], options?: QueryOptions, tx?: number): Promise<Results<T>> {
		return this.call({ type: 'query', sql, params, rowMode: options?.rowMode ?? 'object', raw: !!options?.parsers, tx });
	}

	exec(sql: string, tx?: number): Promise<Results[]> {
		return this.call({ type: 'exec', sql, tx });
	}

	/** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
	async transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T> {
		const id = this.nextTx++;
		await this.call({ type: 'begin', tx: id });
		const tx: PgliteLike = {
			query: (sql, params, options) => this.query(sql, params, options, id),
			exec: (sql) => this.exec(sql, id)
		};
		let out: T;
		try {
			out = await fn(tx);
		} catch (e) {
			await this.call({ type: 'end', tx: id, commit: false }).catch(() => {});
			throw e;
		}
		await this.call({ type: 'end', tx: id, commit: true });
		return out;
	}

	async close(): Promise<void> {
		if (this.dead) return;
		try {
			await this.call({ type: 'close' });
		} finally {
			await this.worker.terminate();
		}
	}
}
