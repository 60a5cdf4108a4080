// Who owns a data directory. The process that opens its stores — the server, or a command line run without one —
// first writes `<dataDir>/minqing.owner` (its pid, what it is, since when), before it reads, generates or deletes
// anything, and removes it when it closes them (or exits). Another process finding the file of a live process is
// refused before it touches a file: `demo --reset` deletes stores, and a server still starting holds no
// presence file (server.json) and answers no /healthz yet, which was all the command line looked at; the stores'
// own locks come later in a start (DuckDB) or not at all (PGlite). A file left by a killed process (its pid no longer
// alive) is taken over, and so is one whose pid now belongs to another process: the file also names the boot and the
// process's start time (Linux), so neither a reboot nor a pid reused since — a container's server is often pid 1 or 7
// at every start — leaves a directory owned by a process that is gone. (A data directory shared between machines,
// over NFS, is not guarded: another machine's live owner reads as gone, as its pid did before.) Server and CLI both
// use this module: it depends on Node only.
import { existsSync, linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './config';
import { pidAlive } from './presence';

export const OWNER_FILE = 'minqing.owner';

export interface Owner {
	pid: number;
	/** what holds it, for people: 服务器, 命令行 demo … */
	what: string;
	startedAt: string;
	/** the boot the process runs in (Linux: /proc/sys/kernel/random/boot_id); absent elsewhere and in older files */
	boot?: string;
	/** the process's start time in clock ticks since boot (Linux: /proc/<pid>/stat, field 22); absent likewise */
	start?: string;
}

const ownerPath = (dataDir: string) => join(dataDir, OWNER_FILE);

function readOwner(path: string): Owner | null {
	try {
		const j = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
		if (!Number.isInteger(j.pid)) return null;
		return {
			pid: j.pid!,
			what: String(j.what ?? ''),
			startedAt: String(j.startedAt ?? ''),
			...(typeof j.boot === 'string' ? { boot: j.boot } : {}),
			...(typeof j.start === 'string' ? { start: j.start } : {})
		};
	} catch {
		return null;
	}
}

/** This machine's boot (Linux), or null. */
function bootId(): string | null {
	try {
		return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
	} catch {
		return null;
	}
}

/** When process `pid` started, in clock ticks since boot (Linux: field 22 of /proc/<pid>/stat), or null. */
export function processStart(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// the name (field 2) is in parentheses and may hold spaces and parentheses: count from the last ')'
		const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
		return start && /^\d+$/.test(start) ? start : null;
	} catch {
		return null;
	}
}

/** Whether process `pid` has ended but is not yet reaped by its parent (Linux: state Z in /proc/<pid>/stat): it holds nothing. */
function zombie(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
	} catch {
		return false;
	}
}

/** What this process writes of itself. */
function identity(what: string): Owner {
	const boot = bootId();
	const start = processStart(process.pid);
	return { pid: process.pid, what, startedAt: new Date().toISOString(), ...(boot ? { boot } : {}), ...(start ? { start } : {}) };
}

/**
 * Whether the process that wrote `o` still runs: its pid is alive (and no zombie), in the same boot, and (where the file names it)
 * started when it did; a file without the start time (older, or not Linux) takes a live node process for it, a
 * reused pid of another program not.
 */
function liveOwner(o: Owner): boolean {
	// a server killed with kill -9 stays a zombie until its parent reaps it: in a container whose first process
	// does not, for good
	if (!pidAlive(o.pid) || zombie(o.pid)) return false;
	if (o.boot) {
		const boot = bootId();
		if (boot && boot !== o.boot) return false; // rebooted since: nothing from before runs
	}
	if (o.start) {
		const start = processStart(o.pid);
		if (start !== null) return start === o.start;
	}
	try {
		return /node|tsx|vitest/i.test(readFileSync(`/proc/${o.pid}/cmdline`, 'utf8'));
	} catch {
		return true; // no /proc, or not ours to read: alive is all we know
	}
}

/** The live process other than this one that owns the data directory, or null. */
export function dataDirOwner(dataDir: string): Owner | null {
	if (dataDir === ':memory:') return null;
	const o = readOwner(ownerPath(dataDir));
	return o && o.pid !== process.pid && liveOwner(o) ? o : null;
}

/**
 * The refusal when another process owns the data directory: `command`, a command that refuses while a server runs;
 * `claimant`, what tried to claim it (a command line's user, token … command is told to wait: for the other command
 * to end, or for the server still starting, which then runs it; a server, for a command line to end; else to stop
 * the other process).
 */
export function ownedError(dataDir: string, owner: Owner, command?: string, claimant?: string): StartupError {
	const since = owner.startedAt ? `，${owner.startedAt} 起` : '';
	const who = `${owner.what || 'Minqing 进程'}，进程 ${owner.pid}${since}`;
	const ownerIsCli = owner.what.startsWith('命令行');
	const message = (() => {
		const dir = `数据目录 ${dataDir}`;
		if (command)
			return ownerIsCli
				? `${dir} 正由另一个民情命令使用（${who}），${command} 暂不能执行：请待它结束后再运行此命令`
				: `${dir} 正由另一个民情进程使用（${who}，服务器可能正在启动），${command} 暂不能执行。请先停止服务器再运行此命令`;
		if (claimant?.startsWith('命令行')) {
			if (ownerIsCli) return `${dir} 正由另一个民情命令使用（${who}）：请待它结束后再运行此命令`;
			if (owner.what === '服务器') return `${dir} 正由正在启动的民情服务器使用（进程 ${owner.pid}${since}）：请待服务器启动完成后重试，命令将经由服务器执行`;
		}
		if (claimant === '服务器' && ownerIsCli) return `${dir} 正由民情命令行使用（${who}）：请待它结束后再启动服务器`;
		return `${dir} 正由另一个民情进程使用（${who}），请先停止它或改用其他数据目录`;
	})();
	return new StartupError(message, `${command ?? claimant ?? 'start'}: ${join(dataDir, OWNER_FILE)} names live pid ${owner.pid} (${owner.what})`);
}

/** What a process says when it takes over a data directory whose owner file a process that is gone left (killed, or crashed). */
function takeOverMessage(dataDir: string, other: Owner | null): string {
	const who = other ? `${other.what || 'Minqing 进程'}，进程 ${other.pid}${other.startedAt ? `，${other.startedAt} 起` : ''}` : '无法读取的记录';
	return `[minqing] 接管数据目录 ${dataDir}：上次使用它的民情进程（${who}）已不在运行，未正常退出（如被 kill -9 或崩溃），其遗留的 ${OWNER_FILE} 已替换`;
}

const held = new Map<string, number>();
/** the exit hook that releases what is held, added once per process (not at each first claim) */
let exitHooked = false;

/**
 * Claims the data directory for this process (again: counted, one release each), or throws ownedError; a file a
 * process that is gone left is taken over, and `say` (stderr by default: the command line's JSON stays alone on
 * stdout) tells so. The file appears whole (written aside, then linked into place, which fails when one is there), so a reader never sees a
 * half-written one.
 */
export function claimDataDir(dataDir: string, what: string, command?: string, say: (m: string) => void = (m) => console.error(m)): () => void {
	if (dataDir === ':memory:') return () => {};
	const path = ownerPath(dataDir);
	const mine = held.get(path) ?? 0;
	if (mine > 0) {
		held.set(path, mine + 1);
		return once(() => release(path));
	}
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, JSON.stringify(identity(what)) + '\n');
	try {
		// one there was left by a process that is gone (or is our own from before)
		linkIdentity(tmp, path, dataDir, command, what, () => takeOver(dataDir, tmp, command, what, say));
	} finally {
		rmSync(tmp, { force: true });
	}
	held.set(path, 1);
	if (!exitHooked) {
		exitHooked = true;
		process.on('exit', releaseAll);
	}
	return once(() => release(path));
}

/**
 * Links `tmp` (this process's identity) at `target`, which so appears whole or not at all. A file there already: a live
 * process's refuses (ownedError, naming it); another is cleared by `clear`, and the link tried again (four times at most).
 */
function linkIdentity(tmp: string, target: string, dataDir: string, command: string | undefined, what: string, clear: () => void): void {
	for (let attempt = 0; ; attempt++) {
		try {
			linkSync(tmp, target);
			return;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
			const other = readOwner(target);
			if (other && other.pid !== process.pid && liveOwner(other)) throw ownedError(dataDir, other, command, what);
			clear();
		}
	}
}

/**
 * Removes the owner file a process that is gone left, under a lock of its own (`minqing.owner.takeover`, made as
 * the owner file is, from `tmp`): two processes finding the same stale file at once (a restarted server and a
 * command line, say) each removed it and linked their own, so the later removal took away the earlier one's fresh
 * claim and both opened the stores, PGlite's files without any lock of their own. Under the lock the file is read
 * again: a live owner there (one that took over just before) refuses as any live owner does, and so does a live
 * process holding the lock (it is taking over now). A lock a process left by dying while it held it is removed.
 */
function takeOver(dataDir: string, tmp: string, command: string | undefined, what: string, say: (m: string) => void): void {
	const path = ownerPath(dataDir);
	const lock = `${path}.takeover`;
	linkIdentity(tmp, lock, dataDir, command, what, () => rmSync(lock, { force: true }));
	try {
		if (!existsSync(path)) return; // released or taken over meanwhile: the caller's link decides
		const other = readOwner(path);
		if (other && other.pid !== process.pid && liveOwner(other)) throw ownedError(dataDir, other, command, what);
		rmSync(path, { force: true });
		if (other?.pid !== process.pid) say(takeOverMessage(dataDir, other));
	} finally {
		if (readOwner(lock)?.pid === process.pid) rmSync(lock, { force: true });
	}
}

function once(f: () => void): () => void {
	let done = false;
	return () => {
		if (!done) f();
		done = true;
	};
}

function release(path: string): void {
	const n = (held.get(path) ?? 0) - 1;
	if (n > 0) return void held.set(path, n);
	held.delete(path);
	if (readOwner(path)?.pid === process.pid) {
		try {
			unlinkSync(path);
		} catch {
			/* gone */
		}
	}
}

function releaseAll(): void {
	for (const path of [...held.keys()]) {
		held.set(path, 1);
		release(path);
	}
}
