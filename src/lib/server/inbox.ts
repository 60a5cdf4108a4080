// The drop folder. The server watches `<dataDir>/inbox/`: a file that appears there is ingested with source
// `inbox`, one in a subfolder `inbox/<source>/` with that source; a `mapping.json` beside the files applies to
// them. Files are taken one at a time through the ingest queue once their size has not changed for a second
// (or when renamed into place) — one that looks unfinished (empty, or a text file whose last line has no line
// break yet) after 30 s. A CSV or NDJSON file is read up to the size it stood still at, so a writer that goes on
// meanwhile leaves no cut record; such a file stays to be read again whole (the records already in are
// duplicates, what the first read quarantined is taken back — only when the file still begins with the bytes that
// read took; a file replaced under its name is another file, recorded on its own). A file moved away is watched for
// an hour: a sender still writing to it (a pause longer than the wait) has it moved back into the inbox, said in the
// log, and read again whole. Dotfiles and partial
// downloads (.part, .tmp, …, Office's ~$ lock files) are left alone; a symbolic link or a file whose name is not
// UTF-8 (GBK from a Windows share) is moved to failed/ unread, saying why, and a folder inside a source folder is
// named once in the log (its files are not read). Afterwards a
// file moves to `processed/<date>/<name>` with `<name>.summary.json`, or — when it could not be read at all
// (empty, unknown format or encoding, unreadable header, broken mapping) — to `failed/<name>` with
// `<name>.error.json`. That record is written last and whole: once it is there, the move is done. A file whose
// records were all quarantined is still processed: its quarantine rows say why. A file is moved only after its
// ingest finished, so one interrupted by a shutdown or crash is simply ingested again at the next start (ingest
// is idempotent).
//
// The same folder holds `.uploads/`, where the file-ingest endpoint streams uploads before ingesting them.
import { cutChars } from '$pipelines/normalize/text';
import { createWriteStream, watch, type FSWatcher, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { MappingError, loadMapping, type Mapping } from '$pipelines/ingest/mapping';
import { fileOriginId, type FileIngestSummary } from '$pipelines/ingest/files';
import { unreadableFile } from '$pipelines/ingest/pipeline';
import type { App } from './app';
import { ingestService, summaryCounts } from './ingest';
import { waitAtMost } from './jobs';
import { onShutdown } from './presence';
import { isSourceName, SOURCE_NAME_RULE } from './source-name';

export const inboxDir = (dataDir: string) => join(dataDir, 'inbox');
export const uploadsDir = (dataDir: string) => join(dataDir, 'inbox', '.uploads');

/** Folder names under inbox/ that are not sources. */
const RESERVED = new Set(['processed', 'failed']);
const MAPPING_FILE = 'mapping.json';
/** Office's lock files beside an open document (`~$报表.xlsx`, `~$x.csv`): no data, gone once it is closed. */
const OFFICE_LOCK = /^~\$/;

/** A file name not in UTF-8, read as GB18030 when it is that (GBK names from Windows), else with `_` for what is not. */
function gbName(raw: Buffer): string {
	try {
		return new TextDecoder('gb18030', { fatal: true }).decode(raw);
	} catch {
		return raw.toString('utf8').replaceAll('\uFFFD', '_');
	}
}

/** A name to give a file in failed/: no path separators or control characters. */
const safeName = (name: string) => name.replace(/[/\\\u0000-\u001f]/g, '_').replace(/^\.+/, '_') || 'file';

/** Names of files still being written by common tools. */
const PARTIAL = /(\.(part|partial|tmp|temp|crdownload|download|filepart|swp)|~)$/i;

/**
 * A client-supplied file name made safe to use inside one folder: its last path segment only, letters,
 * digits, `.`, `_` and `-` kept (others become `_`), no leading dots, at most 120 characters with the
 * extension kept (the reader chooses the format by it).
 */
export function safeFilename(name: string): string {
	const base = (name.split(/[/\\]/).pop() ?? '').normalize('NFC');
	let s = base.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^[._]+/, '').replace(/\.{2,}/g, '.');
	if (s.length > 120) {
		const ext = extname(s).slice(0, 16);
		s = cutChars(s, 120 - ext.length) + ext;
	}
	return s || 'upload';
}

/** Removes uploads nobody finished (an aborted chunked upload) after a day. */
export async function clearStaleUploads(dir: string, maxAgeMs = 24 * 3600_000): Promise<void> {
	let names: string[];
	try {
		names = await readdir(dir);
	} catch {
		return;
	}
	const now = Date.now();
	for (const n of names) {
		const p = join(dir, n);
		try {
			if (now - (await stat(p)).mtimeMs > maxAgeMs) await rm(p, { force: true });
		} catch {
			/* gone meanwhile */
		}
	}
}

/** YYYY-MM-DD in Asia/Shanghai. */
function shanghaiDate(d: Date): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

async function exists(p: string): Promise<boolean> {
	try {
		await lstat(p);
		return true;
	} catch {
		return false;
	}
}

/** `dir/name`, or `dir/stem-2.ext`, … when that (or its side file) is taken. */
async function freeTarget(dir: string, name: string, side: string): Promise<string> {
	const ext = extname(name);
	const stem = name.slice(0, name.length - ext.length);
	for (let i = 1; ; i++) {
		const candidate = join(dir, i === 1 ? name : `${stem}-${i}${ext}`);
		if (!(await exists(candidate)) && !(await exists(candidate + side))) return candidate;
	}
}

/**
 * Writes a file whole or not at all: under a dot-name first, then renamed into place, so whoever sees the
 * name (a sender's script waiting for `<name>.summary.json`) reads it complete, never an empty or half file.
 */
async function writeWhole(path: string, text: string): Promise<void> {
	const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
	try {
		await writeFile(temp, text);
		await rename(temp, path);
	} catch (e) {
		await rm(temp, { force: true });
		throw e;
	}
}

async function moveFile(from: string | Buffer, to: string): Promise<void> {
	try {
		await rename(from, to);
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
		await copyFile(from, to);
		await rm(from, { force: true });
	}
}

/**
 * `bytes`: read only that much of the file (a line format: what was there when it was seen still). `readFrom`: where
 * its bytes are read (the inbox's open handle of the file, `/proc/self/fd/N`), `path` naming it: a file that waits
 * in the ingest queue (behind a push or an upload) while another takes its name is still the one read. The answer
 * names the origin id the read's quarantine rows have, and the reader's message when it could not read the file.
 */
export type FileIngest = (
	path: string,
	o: { source: string; mapping: Mapping | null; bytes?: number; readFrom?: string }
) => Promise<FileIngestSummary>;

/** A path that reads the file `fh` has open, whatever its name holds now (Linux), or undefined. */
function heldPath(fh: FileHandle | null): string | undefined {
	return fh && process.platform === 'linux' ? `/proc/self/fd/${fh.fd}` : undefined;
}
type FileSummary = Awaited<ReturnType<FileIngest>>;

export interface InboxOptions {
	/** the inbox folder */
	dir: string;
	ingest: FileIngest;
	/**
	 * Takes back the open quarantine rows of an earlier read of a file that grew while it was read: the file is read
	 * again whole, and its bad lines quarantined again under the whole file's origin.
	 */
	supersede?: (source: string, originId: string) => Promise<void>;
	/** Names the place a read file moved to in its quarantine rows (they named it in the inbox, where it is no more). */
	moved?: (source: string, originId: string, to: string) => Promise<void>;
	log?: (m: string) => void;
	/** the periodic scan, besides fs.watch (default 5 s) */
	scanMs?: number;
	/** how long a file's size and mtime must stay unchanged before it is taken (default 1 s) */
	stableMs?: number;
	/**
	 * how long a file that looks unfinished must stay unchanged before it is taken (default 30 s): an empty one (a
	 * copy over SFTP or SMB creates the file first) or a text file whose last line has no line break yet
	 */
	unfinishedMs?: number;
	/**
	 * how long a file moved to processed/ or failed/ is watched for a sender still writing to it (default 1 h): one
	 * that grows is moved back into the inbox and read again whole
	 */
	followMs?: number;
}

/** A file moved away after it was read, watched for a writer that still holds it open. */
interface Followed {
	c: Candidate;
	target: string;
	/** the side file written beside it (`.summary.json`, `.error.json`) */
	side: string;
	ino: number;
	/** the bytes read */
	size: number;
	originId: string | null;
	until: number;
}
/** At most so many moved files are watched (the oldest are let go first). */
const MAX_FOLLOWED = 10_000;

/** Formats read line by line: such a file written whole ends with a line break (or is taken after unfinishedMs). */
const LINE_FORMATS = /\.(ndjson|jsonl|json|csv|tsv|txt)$/i;

/** Whether a file looks like one still being written: empty, or a line format whose last byte is no line break. */
async function looksUnfinished(path: string, size: number): Promise<boolean> {
	if (size === 0) return true;
	if (!LINE_FORMATS.test(path)) return false;
	let fh;
	try {
		fh = await open(path, 'r');
		const b = Buffer.alloc(1);
		await fh.read(b, 0, 1, size - 1);
		return b[0] !== 0x0a;
	} catch {
		return false;
	} finally {
		await fh?.close();
	}
}

/** inode:size:mtime of a file: a file renamed over another of the same name and size is another file. */
const sigOf = (s: Stats) => `${s.ino}:${s.size}:${s.mtimeMs}`;

/**
 * fileOriginId of the first `bytes` bytes of an open file (the file read, even when its name now holds another):
 * whether what a read took is what this file begins with.
 */
async function prefixId(fh: FileHandle, bytes: number): Promise<string> {
	const h = createHash('sha256');
	const b = Buffer.alloc(Math.min(bytes, 1 << 20));
	for (let pos = 0; pos < bytes; ) {
		const { bytesRead } = await fh.read(b, 0, Math.min(b.length, bytes - pos), pos);
		if (bytesRead === 0) break;
		h.update(b.subarray(0, bytesRead));
		pos += bytesRead;
	}
	return h.digest('hex').slice(0, 16);
}

/** A read of a file that was written to while it was read: its quarantine rows, to take back once it is read whole. */
interface PartialRead {
	originId: string;
	/** the bytes it read */
	size: number;
}

/**
 * What became of a file while it was read:
 * - `same`: unchanged;
 * - `grew`: written to, and it still begins with the bytes read: the same file, longer — read it again whole;
 * - `replaced`: another file under the same name (renamed over it, or rewritten from the start), or gone: what was
 *   read is a file of its own, to be recorded as such, and the name's new file is read on its own.
 */
type Meanwhile = 'same' | 'grew' | 'replaced';

/**
 * Before a read: the id of the file's first bytes (as the read's origin id, when it reads those bytes) and the earlier
 * reads they begin with.
 */
interface Coverage {
	id: string;
	covers: Set<string>;
}

interface Candidate {
	path: string;
	/** relative to the inbox, for people: `partner/a.csv` */
	rel: string;
	name: string;
	folder: string;
	source: string;
	/** inode:size:mtime, to know a file that could not be moved away, or one that changed while it was read */
	sig: string;
	size: number;
	ino: number;
	/** the path by its bytes (a name not in UTF-8: `path` is then a key, not the file's path) */
	fsPath: string | Buffer;
	/** why it is not read but moved to failed/ as it is (a symbolic link, a name not in UTF-8) */
	refuse?: ErrorInfo;
}

interface ErrorInfo {
	code: string;
	message: string;
	detail?: string;
}

export class Inbox {
	private readonly processedDir: string;
	private readonly failedDir: string;
	private readonly log: (m: string) => void;
	private readonly scanMs: number;
	private readonly stableMs: number;
	private readonly unfinishedMs: number;
	/** per path: size and mtime last seen, and since when unchanged */
	private readonly seen = new Map<string, { sig: string; since: number }>();
	/** files that were handled but could not be moved away (not taken again while unchanged) */
	private readonly stuck = new Map<string, string>();
	/** files read while they were still written to: what was read of them (each read, to take back once read whole) */
	private readonly partial = new Map<string, PartialRead[]>();
	private readonly watchers = new Map<string, FSWatcher>();
	/** entries left alone or refused, with what the log said of them (said once while they stay) */
	private readonly noted = new Map<string, string>();
	/** files moved to processed/ or failed/ lately, by where they are now (see followMs) */
	private readonly followed = new Map<string, Followed>();
	private readonly followMs: number;
	private interval: NodeJS.Timeout | null = null;
	private timer: NodeJS.Timeout | null = null;
	private debounce: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private again = false;
	private stopped = false;

	constructor(private readonly o: InboxOptions) {
		this.processedDir = join(o.dir, 'processed');
		this.failedDir = join(o.dir, 'failed');
		this.log = o.log ?? ((m) => console.log(m));
		this.scanMs = o.scanMs ?? 5000;
		this.stableMs = o.stableMs ?? 1000;
		this.unfinishedMs = o.unfinishedMs ?? 30_000;
		this.followMs = o.followMs ?? 3600_000;
	}

	async start(): Promise<void> {
		for (const d of [this.o.dir, this.processedDir, this.failedDir]) await mkdir(d, { recursive: true });
		this.watchFolder(this.o.dir);
		this.interval = setInterval(() => this.kick(), this.scanMs);
		this.interval.unref();
		this.kick();
	}

	/** Stops watching; waits up to `graceMs` for the file in hand (an unfinished one stays in the inbox). */
	async stop(graceMs = 5000): Promise<void> {
		this.stopped = true;
		for (const t of [this.interval, this.timer, this.debounce]) if (t) clearTimeout(t);
		for (const w of this.watchers.values()) w.close();
		this.watchers.clear();
		const running = this.running;
		if (running) await waitAtMost(running, graceMs);
	}

	/** Resolves when the current pass (if any) is over (for tests). */
	async idle(): Promise<void> {
		while (this.running) await this.running;
	}

	private watchFolder(dir: string): void {
		if (this.watchers.has(dir) || this.stopped) return;
		try {
			const w = watch(dir, { persistent: false }, () => {
				if (this.debounce) clearTimeout(this.debounce);
				this.debounce = setTimeout(() => this.kick(), 100);
				this.debounce.unref();
			});
			w.on('error', () => {
				w.close();
				this.watchers.delete(dir); // the periodic scan carries on; the next scan watches it again
			});
			this.watchers.set(dir, w);
		} catch {
			/* the periodic scan still finds the files */
		}
	}

	/** Starts a pass, or asks the running one for another round. */
	private kick(): void {
		if (this.stopped) return;
		if (this.running) {
			this.again = true;
			return;
		}
		this.running = this.pass()
			.catch((e) => this.log(`[minqing] 收件箱扫描出错：${(e as Error).message}`))
			.finally(() => {
				this.running = null;
			});
	}

	private async pass(): Promise<void> {
		do {
			this.again = false;
			const { ready, waiting } = await this.scan();
			for (const c of ready) {
				if (this.stopped) return;
				await this.handle(c);
			}
			if (waiting && !this.stopped) {
				if (this.timer) clearTimeout(this.timer);
				this.timer = setTimeout(() => this.kick(), this.stableMs + 50);
				this.timer.unref();
			}
		} while (this.again && !this.stopped);
	}

	/** The files of the inbox and its source folders: those unchanged for stableMs are ready. */
	private async scan(): Promise<{ ready: Candidate[]; waiting: boolean }> {
		await this.checkFollowed();
		const now = Date.now();
		const found: Candidate[] = [];
		const folders = new Set<string>();
		const noted = new Set<string>();
		/** Said once per entry and reason, while it stays (an entry the inbox leaves alone, or cannot take). */
		const note = (key: string, message: string) => {
			noted.add(key);
			if (this.noted.get(key) === message) return;
			this.noted.set(key, message);
			this.log(`[minqing] 收件箱：${message}`);
		};
		const list = async (folder: string, source: string) => {
			let entries;
			try {
				entries = await readdir(folder, { withFileTypes: true, encoding: 'buffer' });
			} catch {
				return;
			}
			for (const e of entries) {
				const raw = e.name as Buffer;
				const name = raw.toString('utf8');
				if (name.startsWith('.') || PARTIAL.test(name) || OFFICE_LOCK.test(name)) continue;
				const rel = relative(this.o.dir, join(folder, name));
				if (!Buffer.from(name, 'utf8').equals(raw)) {
					// a name in another encoding (GBK from a Windows share): readdir's name is not the file's, so it cannot be
					// opened by it; the file itself can be moved by its bytes, to failed/ under its name read as GB18030
					const fsPath = Buffer.concat([Buffer.from(folder + '/', 'utf8'), raw]);
					const key = `${folder}/<${raw.toString('hex')}>`;
					if (e.isDirectory()) {
						note(key, `文件夹名「${name}」不是 UTF-8 编码（可能是 GBK），其中的文件不会被读取：请用 UTF-8 文件夹名`);
						continue;
					}
					const s = await lstat(fsPath).catch(() => null);
					if (!s) continue;
					const shown = gbName(raw);
					const message = `文件名「${shown}」不是 UTF-8 编码（可能是 GBK），无法按名称读取：请把文件名改为 UTF-8 后重新放入`;
					note(key, `${relative(this.o.dir, join(folder, shown))}：${message}，将移到 failed/`);
					found.push({ path: key, fsPath, rel: relative(this.o.dir, join(folder, shown)), name: safeName(shown), folder, source, sig: sigOf(s), size: s.size, ino: s.ino, refuse: { code: 'bad_file_name', message, detail: `name bytes ${raw.toString('hex')}` } });
					continue;
				}
				if (e.isDirectory()) {
					if (folder === this.o.dir && !RESERVED.has(name)) {
						folders.add(join(folder, name));
						await list(join(folder, name), name);
					} else if (folder !== this.o.dir) {
						note(join(folder, name), `${rel}/ 是来源文件夹中的子文件夹，其中的文件不会被读取：请把文件直接放在 inbox/<来源>/ 中`);
					}
					continue;
				}
				if (name === MAPPING_FILE) continue;
				const path = join(folder, name);
				let s;
				try {
					s = await lstat(path);
				} catch {
					continue;
				}
				if (s.isSymbolicLink()) {
					// not followed (a link could lead anywhere on the server): the link itself goes to failed/
					const message = '这是符号链接，收件箱不跟随链接：请放入文件本身（复制，而不是链接）';
					note(path, `${rel}：${message}，将移到 failed/`);
					found.push({ path, fsPath: path, rel, name, folder, source, sig: sigOf(s), size: s.size, ino: s.ino, refuse: { code: 'symbolic_link', message } });
					continue;
				}
				if (!s.isFile()) {
					note(path, `${rel} 不是普通文件（设备、管道或套接字），不会被读取`);
					continue;
				}
				found.push({ path, fsPath: path, rel, name, folder, source, sig: sigOf(s), size: s.size, ino: s.ino });
			}
		};
		await list(this.o.dir, 'inbox');
		for (const f of folders) this.watchFolder(f);
		for (const [dir, w] of this.watchers) {
			if (dir !== this.o.dir && !folders.has(dir)) {
				w.close();
				this.watchers.delete(dir);
			}
		}
		const ready: Candidate[] = [];
		let waiting = false;
		const present = new Set<string>();
		for (const c of found) {
			present.add(c.path);
			if (this.stuck.get(c.path) === c.sig) continue;
			this.stuck.delete(c.path);
			const prev = this.seen.get(c.path);
			if (!prev || prev.sig !== c.sig) {
				this.seen.set(c.path, { sig: c.sig, since: now });
				waiting = true;
			} else if (now - prev.since < this.stableMs) waiting = true;
			else if (!c.refuse && now - prev.since < this.unfinishedMs && (await looksUnfinished(c.path, c.size))) waiting = true;
			else ready.push(c);
		}
		for (const p of this.seen.keys()) if (!present.has(p)) this.seen.delete(p);
		for (const k of this.noted.keys()) if (!noted.has(k)) this.noted.delete(k);
		for (const p of this.stuck.keys()) if (!present.has(p)) this.stuck.delete(p);
		ready.sort((a, b) => a.rel.localeCompare(b.rel));
		return { ready, waiting };
	}

	private async handle(c: Candidate): Promise<void> {
		this.seen.delete(c.path);
		if (c.refuse) return this.refuse(c, c.refuse);
		// the file held open while it is read: should another file take its name meanwhile, this one is still at hand
		let fh: FileHandle | null = null;
		try {
			fh = await open(c.path, 'r');
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // gone since the scan
			// unreadable (permissions): the reader says so, and it goes to failed/
		}
		try {
			if (fh && (await fh.stat()).ino !== c.ino) return; // another file since the scan: the next scan sees it anew
			await this.take(c, fh);
		} finally {
			await fh?.close().catch(() => {});
		}
	}

	private async take(c: Candidate, fh: FileHandle | null): Promise<void> {
		const started = new Date();
		if (!isSourceName(c.source)) {
			return this.fail(c, fh, { code: 'bad_source', message: `文件夹名「${c.source}」${SOURCE_NAME_RULE}` });
		}
		let mapping: Mapping | null = null;
		const mappingPath = join(c.folder, MAPPING_FILE);
		if (await exists(mappingPath)) {
			try {
				mapping = loadMapping(mappingPath);
			} catch (e) {
				if (!(e instanceof MappingError)) throw e;
				return this.fail(c, fh, { code: 'bad_mapping', message: e.message, detail: e.detail });
			}
		}
		let summary: FileSummary;
		// a line format is read up to the size seen still, which ends at a line break (or was still for unfinishedMs):
		// a writer that goes on meanwhile cannot leave a cut last record behind
		const bytes = LINE_FORMATS.test(c.path) ? c.size : undefined;
		// earlier reads of this file, while it was written to: which of them it begins with now, before it is read (a
		// file rewritten in place while it is read is not at hand afterwards to tell)
		const before = await this.coverage(c, fh);
		try {
			summary = await this.o.ingest(c.path, { source: c.source, mapping, bytes, readFrom: heldPath(fh) });
		} catch (e) {
			if (this.stopped) return; // shutting down: the file stays and is taken again at the next start
			if (!(await exists(c.path))) return;
			const err = e as Error & { code?: unknown };
			return this.fail(c, fh, { code: typeof err.code === 'string' ? err.code : 'ingest_failed', message: `接入时出错：${err.message}` });
		}
		const state = await this.changedMeanwhile(c, fh, summary, before);
		if (state.again) return;
		const fileErrors = unreadableFile(summary);
		if (fileErrors) {
			const message = summary.fileError ?? `文件无法读取（${fileErrors.join('、')}）`;
			return this.fail(c, fh, { code: fileErrors[0], message }, summary, state);
		}
		const dir = join(this.processedDir, shanghaiDate(started));
		try {
			await mkdir(dir, { recursive: true });
			const target = await freeTarget(dir, c.name, '.summary.json');
			const kept = await this.place(c, state, target);
			await this.relabel(c, summary, target);
			const record = {
				file: c.rel,
				movedTo: kept ? relative(this.o.dir, target) : null,
				mapping: mapping ? relative(this.o.dir, mappingPath) : null,
				processedAt: new Date().toISOString(),
				...replacedNote(state, kept)
			};
			await writeWhole(`${target}.summary.json`, JSON.stringify({ ...record, ...summary, origin: target }, null, 1) + '\n');
			if (!state.replaced) this.follow(c, target, '.summary.json', summary);
			const counts = summaryCounts(summary);
			if (state.replaced)
				this.log(
					`[minqing] 收件箱：${c.rel}（来源 ${c.source}）在读取期间被同名的另一个文件替换（或被删除）。已读取的原文件${counts}，` +
						`${kept ? `另存为 ${relative(this.o.dir, target)}` : `内容已不在，摘要记在 ${relative(this.o.dir, target)}.summary.json`}，其隔离记录保留；收件箱中的新文件将单独接入`
				);
			else this.log(`[minqing] 收件箱：${c.rel}（来源 ${c.source}）${counts}`);
		} catch (e) {
			if (!state.replaced) this.stuck.set(c.path, c.sig);
			this.log(`[minqing] 收件箱：${c.rel} 已接入，但无法移到 processed/：${(e as Error).message}`);
		}
	}

	/** Moves an entry that is not read (a symbolic link, a name not in UTF-8) to failed/ as it is, saying why. */
	private async refuse(c: Candidate, error: ErrorInfo): Promise<void> {
		const now = await lstat(c.fsPath).catch(() => null);
		if (!now || sigOf(now) !== c.sig) return; // changed or gone: seen again by the next scan
		try {
			await mkdir(this.failedDir, { recursive: true });
			const target = await freeTarget(this.failedDir, c.name, '.error.json');
			await moveFile(c.fsPath, target);
			await writeWhole(
				`${target}.error.json`,
				JSON.stringify({ file: c.rel, source: c.source, movedTo: relative(this.o.dir, target), failedAt: new Date().toISOString(), error, summary: null }, null, 1) + '\n'
			);
			this.log(`[minqing] 收件箱：${c.rel} 未接入，已移到 failed/：${error.message}`);
		} catch (e) {
			this.stuck.set(c.path, c.sig);
			this.log(`[minqing] 收件箱：${c.rel} 未接入（${error.message}），也无法移到 failed/：${(e as Error).message}`);
		}
	}

	/**
	 * What became of the file while it was handled (see Meanwhile). Written to (a sender that paused longer than
	 * stableMs) and still beginning with what was read: what came after is not in, and a move would carry it away
	 * unread; it stays, and is taken again once it is still (ingest is idempotent: the records already in count as
	 * duplicates). Otherwise this read is final: the earlier reads of the file it covers (their bytes a prefix of
	 * these) are taken back — their bad lines were quarantined again by this read; an earlier read it does not cover
	 * keeps its rows. `held`: the file read, open, when it is known to be the one read (to keep a replaced one).
	 */
	private async changedMeanwhile(
		c: Candidate,
		fh: FileHandle | null,
		read?: FileSummary,
		before?: Coverage | null
	): Promise<{ again: boolean; replaced: boolean; held: FileHandle | null }> {
		const now = await lstat(c.path).catch(() => null);
		let state: Meanwhile;
		if (now && sigOf(now) === c.sig) state = 'same';
		else if (!read) state = 'grew'; // nothing read (a refused folder name or mapping): it stays, to be taken once still
		else if (now?.isFile() && now.size >= read.bytes && (await fileOriginId(c.path, read.bytes).catch(() => null)) === read.originId) state = 'grew';
		else state = 'replaced';
		if (state === 'grew') {
			if (read) this.partial.set(c.path, [...(this.partial.get(c.path) ?? []), { originId: read.originId, size: read.bytes }]);
			this.log(`[minqing] 收件箱：${c.rel} 在接入期间仍在写入，保留在收件箱，写完后将再次接入（已接入的记录不会重复）`);
			return { again: true, replaced: false, held: null };
		}
		// the open file is the one read when it is unchanged, or (replaced) when it begins with the bytes read
		const held = !fh ? null : state === 'same' || (read && (await prefixId(fh, read.bytes).catch(() => null)) === read.originId) ? fh : null;
		const earlier = this.partial.get(c.path) ?? [];
		this.partial.delete(c.path);
		for (const e of earlier) {
			const covered =
				read &&
				e.size <= read.bytes &&
				((before?.id === read.originId && before.covers.has(e.originId)) || (held && (await prefixId(held, e.size).catch(() => null)) === e.originId));
			if (covered) await this.o.supersede?.(c.source, e.originId).catch((err) => this.log(`[minqing] 收件箱：${c.rel} 先前的隔离记录未能撤下：${(err as Error).message}`));
			else this.log(`[minqing] 收件箱：${c.rel} 先前一次读取（${e.size} 字节）的内容与本次不同，其隔离记录保留（来源 ${c.source}，编号 ${e.originId}）`);
		}
		return { again: false, replaced: state === 'replaced', held };
	}

	/**
	 * Watches a file just moved away after it was read: a sender that paused longer than stableMs (or, mid-line,
	 * than unfinishedMs) and then goes on writing on the same open file writes into the moved file. Without this, the
	 * rest was never read and nothing said so.
	 */
	private follow(c: Candidate, target: string, side: string, read?: FileSummary): void {
		this.followed.delete(target);
		this.followed.set(target, { c, target, side, ino: c.ino, size: read?.bytes ?? c.size, originId: read?.originId ?? null, until: Date.now() + this.followMs });
		while (this.followed.size > MAX_FOLLOWED) this.followed.delete(this.followed.keys().next().value!);
	}

	/**
	 * The moved files that grew since they were read go back into the inbox, under their name (or a free one beside
	 * it), their side file removed: they are read again whole once they are still, and what the first read
	 * quarantined is taken back then (see `partial`). Each is said in the log.
	 */
	private async checkFollowed(): Promise<void> {
		const now = Date.now();
		for (const f of [...this.followed.values()]) {
			if (now > f.until) {
				this.followed.delete(f.target);
				continue;
			}
			const s = await lstat(f.target).catch(() => null);
			if (!s || s.ino !== f.ino || !s.isFile()) {
				this.followed.delete(f.target); // moved or deleted by someone: no more ours to watch
				continue;
			}
			if (s.size <= f.size) continue;
			this.followed.delete(f.target);
			const where = relative(this.o.dir, f.target);
			try {
				await mkdir(f.c.folder, { recursive: true });
				const back = await freeTarget(f.c.folder, f.c.name, '');
				await rename(f.target, back);
				await rm(f.target + f.side, { force: true });
				if (f.originId) this.partial.set(back, [...(this.partial.get(back) ?? []), { originId: f.originId, size: f.size }]);
				this.log(
					`[minqing] 收件箱：${f.c.rel} 接入并移到 ${where} 之后仍在被写入（已读取 ${f.size} 字节，现有 ${s.size} 字节）：已移回收件箱 ${relative(this.o.dir, back)}，` +
						`写完后将整体重新接入（已接入的记录不会重复，先前的隔离记录届时撤下）。发送方请先用 .part 等临时文件名写完再改名`
				);
			} catch (e) {
				this.log(
					`[minqing] 警告：收件箱：${f.c.rel} 接入并移到 ${where} 之后仍在被写入（已读取 ${f.size} 字节，现有 ${s.size} 字节），` +
						`但无法移回收件箱（${(e as Error).message}）：第 ${f.size} 字节之后的内容未接入，请把该文件重新放入收件箱`
				);
			}
		}
	}

	/** Which earlier reads of the file (see `partial`) it begins with now, and the id of its first `c.size` bytes. */
	private async coverage(c: Candidate, fh: FileHandle | null): Promise<Coverage | null> {
		const earlier = this.partial.get(c.path);
		if (!earlier?.length || !fh) return null;
		try {
			const covers = new Set<string>();
			for (const e of earlier) if (e.size <= c.size && (await prefixId(fh, e.size)) === e.originId) covers.add(e.originId);
			return { id: await prefixId(fh, c.size), covers };
		} catch {
			return null;
		}
	}

	/**
	 * Puts the file read at `target`: moved there, or — when its name holds another file now — its content copied
	 * there from the open file (when that is the one read). Whether the file is at `target`.
	 */
	private async place(c: Candidate, state: { replaced: boolean; held: FileHandle | null }, target: string): Promise<boolean> {
		if (!state.replaced) {
			await moveFile(c.path, target);
			return true;
		}
		if (!state.held) return false;
		try {
			await pipeline(state.held.createReadStream({ start: 0, autoClose: false }), createWriteStream(target, { flags: 'wx' }));
			return true;
		} catch (e) {
			await rm(target, { force: true });
			this.log(`[minqing] 收件箱：${c.rel} 被替换前的内容未能另存：${(e as Error).message}`);
			return false;
		}
	}

	/** The moved file's quarantine rows name where it is now (a failure to say so is logged, the move stands). */
	private async relabel(c: Candidate, read: FileSummary | undefined, target: string): Promise<void> {
		if (!this.o.moved || !read) return; // not read (a refused folder name or mapping): no rows
		try {
			await this.o.moved(c.source, read.originId, target);
		} catch (e) {
			this.log(`[minqing] 收件箱：${c.rel} 的隔离记录未能改为新位置：${(e as Error).message}`);
		}
	}

	private async fail(
		c: Candidate,
		fh: FileHandle | null,
		error: ErrorInfo,
		summary?: FileSummary,
		known?: { again: boolean; replaced: boolean; held: FileHandle | null }
	): Promise<void> {
		const state = known ?? (await this.changedMeanwhile(c, fh, summary));
		if (state.again) return;
		try {
			await mkdir(this.failedDir, { recursive: true });
			const target = await freeTarget(this.failedDir, c.name, '.error.json');
			const kept = await this.place(c, state, target);
			await this.relabel(c, summary, target);
			await writeWhole(
				`${target}.error.json`,
				JSON.stringify(
					{ file: c.rel, source: c.source, movedTo: kept ? relative(this.o.dir, target) : null, failedAt: new Date().toISOString(), ...replacedNote(state, kept), error, summary: summary ?? null },
					null,
					1
				) + '\n'
			);
			if (!state.replaced) this.follow(c, target, '.error.json', summary);
			this.log(`[minqing] 收件箱：${c.rel} 无法接入，已移到 failed/：${error.message}${state.replaced ? '（读取期间同名文件被替换，此为原文件；新文件将单独接入）' : ''}`);
		} catch (e) {
			if (!state.replaced) this.stuck.set(c.path, c.sig);
			this.log(`[minqing] 收件箱：${c.rel} 无法接入（${error.message}），也无法移到 failed/：${(e as Error).message}`);
		}
	}
}

/** The summary's note on a file whose name took another file while it was read. */
function replacedNote(state: { replaced: boolean }, kept: boolean) {
	if (!state.replaced) return {};
	return {
		replacedWhileRead: true,
		note: kept
			? '读取期间，收件箱中同名的位置换成了另一个文件（或此文件被删除）：这里保存的是读取的原文件，本摘要只涉及它；新文件单独接入，另有摘要'
			: '读取期间，收件箱中同名的位置换成了另一个文件（或此文件被删除），原文件内容已无法保存：本摘要只涉及读取的原文件；新文件单独接入，另有摘要'
	};
}

const KEY = Symbol.for('minqing.inbox');
type Holder = { [KEY]?: Inbox };

/**
 * Starts the server's drop folder (not in memory mode, not with MINQING_INBOX=0) and stops it on shutdown.
 * Files go through the server's ingest queue, one at a time.
 */
export async function startInbox(app: App): Promise<Inbox | null> {
	const g = globalThis as Holder;
	if (g[KEY]) return g[KEY];
	if (app.config.dataDir === ':memory:' || process.env.MINQING_INBOX === '0') return null;
	const inbox = new Inbox({
		dir: inboxDir(app.config.dataDir),
		ingest: (path, o) => ingestService(app).ingestPath(path, o),
		supersede: (source, originId) => ingestService(app).supersedeQuarantine(source, originId),
		moved: (source, originId, to) => ingestService(app).relabelQuarantine(source, originId, to)
	});
	try {
		await inbox.start();
	} catch (e) {
		console.error(`[minqing] 无法启用收件箱 ${inboxDir(app.config.dataDir)}：${(e as Error).message}`);
		return null;
	}
	g[KEY] = inbox;
	onShutdown(() => inbox.stop());
	console.log(`[minqing] 收件箱：${inboxDir(app.config.dataDir)}（放入的文件将自动接入）`);
	return inbox;
}
