// Files kept for the relational store's rows (a ticket's attachments), by content: in the data directory's
// `attachments/<first two hex digits>/<sha256>[.suffix]`, or in memory for an app run in memory (tests).
//
// Not in the database itself: files of several MB are what a file system is for, and the embedded PGlite was slow
// with them as bytea (seconds a photo, when they were first kept there; no committed command measures that). A file is
// written whole before its row is committed — to a temporary name, flushed, then renamed — so a row never names a
// file half written; a file whose row was then refused stays unnamed and harmless (the next upload of the same bytes
// finds it). The data directory's backup holds them, beside the relational store's.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from './app';

export interface BlobStore {
	/** keeps `bytes` under `key` (a SHA-256 in hex, with an optional suffix such as `.thumb.webp`) */
	put(key: string, bytes: Uint8Array): Promise<void>;
	/** the bytes kept under `key`, or null when there are none */
	get(key: string): Promise<Uint8Array | null>;
	/** where the files are, for messages */
	readonly describe: string;
}

const KEY = /^[0-9a-f]{64}(\.[a-z0-9.]{1,20})?$/;

function checkKey(key: string): void {
	if (!KEY.test(key)) throw new Error(`blob key ${JSON.stringify(key)} is not a sha256 with a suffix`);
}

/** The files under `dir` (created when first written). */
export function diskBlobs(dir: string): BlobStore {
	const pathOf = (key: string) => join(dir, key.slice(0, 2), key);
	return {
		describe: dir,
		async put(key, bytes) {
			checkKey(key);
			const path = pathOf(key);
			// the same content is there already (an upload of the same photo): kept once
			const there = await stat(path).catch(() => null);
			if (there && there.size === bytes.length) return;
			await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
			const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
			try {
				// off the event loop: the write and the flush to disk run on libuv's threads
				const fh = await open(tmp, 'w');
				try {
					await fh.writeFile(bytes);
					await fh.sync();
				} finally {
					await fh.close();
				}
				await rename(tmp, path);
			} catch (e) {
				await rm(tmp, { force: true });
				throw e;
			}
		},
		async get(key) {
			checkKey(key);
			try {
				return new Uint8Array(await readFile(pathOf(key)));
			} catch (e) {
				if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
				throw e;
			}
		}
	};
}

/** Files in memory (an app whose stores are in memory). */
export function memoryBlobs(): BlobStore {
	const kept = new Map<string, Uint8Array>();
	return {
		describe: '内存',
		async put(key, bytes) {
			checkKey(key);
			kept.set(key, new Uint8Array(bytes));
		},
		async get(key) {
			checkKey(key);
			return kept.get(key) ?? null;
		}
	};
}

const stores = new WeakMap<App, BlobStore>();

/** The app's store of attachment files: its data directory's `attachments/`, or memory for an app in memory. */
export function attachmentBlobs(app: App): BlobStore {
	let s = stores.get(app);
	if (!s) {
		s = app.config.dataDir === ':memory:' ? memoryBlobs() : diskBlobs(join(app.config.dataDir, 'attachments'));
		stores.set(app, s);
	}
	return s;
}
