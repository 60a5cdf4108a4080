// The running server's presence file. One process owns the files under the data directory (DESIGN.md): the
// server writes `<dataDir>/server.json` (mode 0600) once it has started, with its pid, where it listens and a
// secret made anew at each start; a CLI on the same machine that finds it (and the server answering) writes
// through the server's API with that secret instead of opening the locked stores. The file is removed on
// shutdown; one left behind by a killed server (its pid no longer alive) is ignored and replaced.
// Server and CLI both use this module: it depends on Node only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Presence {
	pid: number;
	/** where the server answers, for a client on this machine */
	url: string;
	startedAt: string;
	/** random per start; lets a local CLI write through the API */
	localSecret: string;
}

export const PRESENCE_FILE = 'server.json';

export const presencePath = (dataDir: string) => join(dataDir, PRESENCE_FILE);

/** The server's URL for a client on this machine, from PORT and HOST as launch.js reads them. */
export function localServerUrl(env: NodeJS.ProcessEnv = process.env): string {
	const n = Number(env.PORT ?? 3000);
	const port = Number.isInteger(n) && n > 0 && n <= 65535 ? n : 3000;
	let host = (env.HOST ?? '').trim();
	if (!host || host === '0.0.0.0' || host === '::' || host === '[::]' || host === '::0') host = '127.0.0.1';
	else if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
	return `http://${host}:${port}`;
}

/** Whether a process with this id exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function parsePresence(text: string): Presence | null {
	try {
		const j = JSON.parse(text) as Partial<Presence>;
		if (!Number.isInteger(j.pid) || typeof j.url !== 'string' || typeof j.localSecret !== 'string' || !j.localSecret) return null;
		return { pid: j.pid!, url: j.url, startedAt: String(j.startedAt ?? ''), localSecret: j.localSecret };
	} catch {
		return null;
	}
}

/** The presence file of a data directory when it names a live process; null when absent, unreadable or stale. */
export function readPresence(dataDir: string): Presence | null {
	if (dataDir === ':memory:') return null;
	let text: string;
	try {
		text = readFileSync(presencePath(dataDir), 'utf8');
	} catch {
		return null;
	}
	const p = parsePresence(text);
	return p && pidAlive(p.pid) ? p : null;
}

async function answersHealth(url: string, timeoutMs: number): Promise<boolean> {
	try {
		const r = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
		const body = (await r.json().catch(() => null)) as { ok?: unknown; down?: unknown } | null;
		// a server whose relational store is down answers 503 saying so: it still holds the data directory's files
		return (r.ok && body?.ok === true) || (r.status === 503 && body?.ok === false && Array.isArray(body.down));
	} catch {
		return false;
	}
}

/**
 * The server holding a data directory: its presence file names a live process and `GET /healthz` answers
 * (tried a few times: a server writes the file just before it starts listening). Null otherwise, and then
 * the caller may open the stores itself.
 */
export async function findRunningServer(dataDir: string, o: { attempts?: number; timeoutMs?: number } = {}): Promise<Presence | null> {
	const attempts = o.attempts ?? 4;
	for (let i = 0; i < attempts; i++) {
		const p = readPresence(dataDir);
		if (!p) return null;
		if (await answersHealth(p.url, o.timeoutMs ?? 2000)) return p;
		if (i < attempts - 1) await new Promise((r) => setTimeout(r, 750));
	}
	return null;
}

// --- the server side --------------------------------------------------------------------------------------

const KEY = Symbol.for('minqing.presence');
const HOOKS = Symbol.for('minqing.shutdown');
type Holder = { [KEY]?: { dataDir: string; secret: string }; [HOOKS]?: (() => unknown)[] };
const g = globalThis as Holder;

/**
 * Registers work for an orderly shutdown: src/launch.js runs these (in order, awaited) before it closes the
 * stores. The list lives on globalThis, where the plain-JS launcher finds it.
 */
export function onShutdown(fn: () => unknown): void {
	(g[HOOKS] ??= []).push(fn);
}

/** This server's local secret (null in memory mode or before the presence file was written). */
export function localSecret(): string | null {
	return g[KEY]?.secret ?? null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an `Authorization: Bearer …` value carries this server's local secret (compared in constant time). */
export function isLocalSecret(authorization: string | null): boolean {
	const secret = localSecret();
	const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
	if (!secret || !m) return false;
	return timingSafeEqual(digest(m[1]), digest(secret));
}

/**
 * Writes `<dataDir>/server.json` for this process (atomically, mode 0600) and arranges its removal on
 * shutdown and at exit. Any earlier file is replaced: this process holds the stores' locks, so an earlier
 * file can only be a stale one. Nothing in memory mode. A failure to write is reported, not fatal (a CLI then
 * finds no server and meets the store lock instead).
 */
export function announceServer(dataDir: string, log: (m: string) => void = (m) => console.log(m)): Presence | null {
	if (dataDir === ':memory:') return null;
	const file = presencePath(dataDir);
	const presence: Presence = { pid: process.pid, url: localServerUrl(), startedAt: new Date().toISOString(), localSecret: randomBytes(32).toString('base64url') };
	try {
		const old = readFileSync(file, 'utf8');
		const p = parsePresence(old);
		if (p && p.pid !== process.pid) log(`[minqing] 替换遗留的 ${PRESENCE_FILE}（进程 ${p.pid}${pidAlive(p.pid) ? ' 不是本服务' : ' 已不存在'}）`);
	} catch {
		/* none */
	}
	const tmp = `${file}.${process.pid}.tmp`;
	try {
		writeFileSync(tmp, JSON.stringify(presence, null, 1) + '\n', { mode: 0o600 });
		renameSync(tmp, file);
	} catch (e) {
		rmSync(tmp, { force: true });
		console.error(`[minqing] 无法写入 ${file}：${(e as Error).message}；命令行将无法经由本服务写入数据`);
		return null;
	}
	const first = !g[KEY];
	g[KEY] = { dataDir, secret: presence.localSecret };
	if (first) {
		onShutdown(removePresence);
		process.on('exit', removePresence);
	}
	return presence;
}

/** Removes the presence file if it is still this process's own. */
export function removePresence(): void {
	const own = g[KEY];
	if (!own) return;
	const file = presencePath(own.dataDir);
	try {
		const p = parsePresence(readFileSync(file, 'utf8'));
		if (p && p.pid === process.pid && p.localSecret === own.secret) rmSync(file, { force: true });
	} catch {
		/* already gone */
	}
}
