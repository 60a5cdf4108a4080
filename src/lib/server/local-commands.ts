// The command line's commands that read or write the stores, one function each, so that they run the same two ways:
// on the stores when no server holds them (`npm run cli`), and by the running server for the command line, which then
// must not open the files the server holds (POST /api/v1/local/<command> with the server's local secret).
import { Quarantine } from '$pipelines/ingest/quarantine';
import type { App } from './app';
import { AuthError, createUser, isRole, listUsers, setPassword, setUserActive } from './auth';
import { accountLine } from './auth/admin';
import { SCOPES, createApiToken, listApiTokens, revokeApiToken, type Scope } from './auth/tokens';
import { ingestService } from './ingest';
import { ReplayInputError, replayQuarantine } from './quarantine';
import { isSourceName, SOURCE_NAME_RULE } from './source-name';
import { audit as recordAudit, CLI_ACTOR, type AuditEntry } from './audit';
import { ROLE_LABELS } from '$lib/types';

export const LOCAL_COMMANDS = [
	'user-add',
	'user-list',
	'user-disable',
	'user-enable',
	'user-passwd',
	'token-create',
	'token-list',
	'token-revoke',
	'quarantine-list',
	'quarantine-show',
	'quarantine-replay'
] as const;
export type LocalCommand = (typeof LOCAL_COMMANDS)[number];

export function isLocalCommand(s: string): s is LocalCommand {
	return (LOCAL_COMMANDS as readonly string[]).includes(s);
}

/** Input a command refuses: a Chinese message for people, a precise one for logs. */
export class CommandInputError extends Error {
	constructor(
		message: string,
		readonly detail: string,
		/** invalid_input, exists, not_found, or conflict (what the state forbids: the last active administrator) */
		readonly code = 'invalid_input'
	) {
		super(message);
	}
}

type Args = Record<string, unknown>;

const text = (a: Args, k: string): string | undefined => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : undefined);

/**
 * Runs a command on `app`'s stores and returns what the command line prints (as JSON). `server`: run by the server
 * for the command line; otherwise by the command line itself, whose process ends the ingest service it started.
 * Throws CommandInputError for input it refuses.
 */
export async function runLocalCommand(app: App, command: LocalCommand, args: Args, server = false): Promise<unknown> {
	try {
		return await run(app, command, args, server);
	} catch (e) {
		if (e instanceof AuthError)
			throw new CommandInputError(e.message, `${command}: ${e.code}: ${e.message}`, e.code === 'exists' || e.code === 'not_found' || e.code === 'conflict' ? e.code : 'invalid_input');
		if (e instanceof ReplayInputError) throw new CommandInputError(e.message, `${command}: ${e.message}`);
		throw e;
	}
}

async function run(app: App, command: LocalCommand, a: Args, server: boolean): Promise<unknown> {
	// the 操作日志's line: the server's log, or stderr in the command line's own process (its stdout is the JSON answer)
	const audit = (e: AuditEntry) => recordAudit(app.rel.db, e, server ? undefined : (l) => console.error(l));
	switch (command) {
		case 'user-add': {
			const username = text(a, 'username');
			const role = text(a, 'role');
			const password = text(a, 'password');
			if (!username || !role) throw new CommandInputError('必须提供 --username 和 --role', 'missing --username/--role');
			if (!isRole(role)) throw new CommandInputError(`未知角色 ${role}`, `role=${role}`);
			if (!password) throw new CommandInputError('请通过环境变量 MINQING_PASSWORD 提供密码', 'MINQING_PASSWORD not set');
			const unit = text(a, 'unit') ?? null;
			if (unit && !app.ref.unitByCode.has(unit)) throw new CommandInputError(`未知单位代码 ${unit}`, `unit=${unit}`);
			const id = await createUser(app.rel.db, { username, displayName: text(a, 'name') ?? username, role, password, unitCode: unit });
			await audit({ actor: CLI_ACTOR, area: 'users', target: username, message: `用户：${CLI_ACTOR} 新建账号 ${username}（${ROLE_LABELS[role]}${unit ? ` · ${unit}` : ''}）` });
			return { id, username, role };
		}
		case 'user-list':
			return listUsers(app.rel.db);
		case 'user-disable':
		case 'user-enable': {
			const username = text(a, 'username');
			if (!username) throw new CommandInputError('必须提供用户名', `${command}: missing username`);
			// a demo account is enabled where the app runs in demo mode (the server's mode when the server runs it)
			const r = await setUserActive(app.rel.db, username, command === 'user-enable', { demoMode: app.config.demo });
			if (r.changed)
				await audit({
					actor: CLI_ACTOR,
					area: 'users',
					target: username,
					message: accountLine.active(CLI_ACTOR, username, r.active, r.sessionsEnded)
				});
			return r;
		}
		case 'user-passwd': {
			const username = text(a, 'username');
			const password = text(a, 'password');
			if (!username) throw new CommandInputError('必须提供用户名', 'user-passwd: missing username');
			if (!password) throw new CommandInputError('请通过环境变量 MINQING_PASSWORD 提供新密码', 'MINQING_PASSWORD not set');
			const r = await setPassword(app.rel.db, username, password);
			await audit({ actor: CLI_ACTOR, area: 'users', target: username, message: accountLine.password(CLI_ACTOR, username, r.sessionsEnded) });
			return r;
		}
		case 'token-list':
			return listApiTokens(app.rel.db);
		case 'token-revoke': {
			const id = a.id;
			if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw new CommandInputError('令牌编号须为正整数', `token-revoke: id=${String(id)}`);
			const r = await revokeApiToken(app.rel.db, id);
			if (!r) throw new CommandInputError(`没有编号为 ${id} 的 API 令牌（npm run cli -- token list 列出全部）`, `token-revoke: no token ${id}`, 'not_found');
			if (r.changed) await audit({ actor: CLI_ACTOR, area: 'tokens', target: `#${id}`, message: `API 令牌：${CLI_ACTOR} 吊销令牌 #${id}（${r.token.name}）` });
			return { ...r.token, changed: r.changed };
		}
		case 'token-create': {
			const name = text(a, 'name');
			const source = text(a, 'source');
			if (!name || !source) throw new CommandInputError('必须提供 --name 和 --source', 'missing --name/--source');
			// the rule of every source name (ingest --source, the drop folder's subfolders), checked before anything is written
			if (!isSourceName(source)) throw new CommandInputError(`--source「${source}」${SOURCE_NAME_RULE}`, `token-create: bad source name ${JSON.stringify(source)}`);
			const scopes = Array.isArray(a.scopes) && a.scopes.length ? a.scopes.map(String) : ['ingest'];
			for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new CommandInputError(`未知权限 ${s}（可用：${SCOPES.join(', ')}）`, `scope=${s}`);
			const t = await createApiToken(app.rel.db, { name, sourceName: source, scopes: scopes as Scope[] });
			await audit({ actor: CLI_ACTOR, area: 'tokens', target: `#${t.id}`, message: `API 令牌：${CLI_ACTOR} 新建令牌 #${t.id}（${name}，来源 ${source}，权限 ${scopes.join('、')}）` });
			return { id: t.id, token: t.token, source, scopes };
		}
		case 'quarantine-list': {
			const q = new Quarantine(app.analytics.conn);
			const limit = a.limit === undefined ? 50 : Number(a.limit);
			if (!Number.isInteger(limit) || limit < 1) throw new CommandInputError('--limit 必须是不小于 1 的整数', `limit=${String(a.limit)}`);
			const rows = await q.list({ source: text(a, 'source'), reason: text(a, 'reason'), limit, status: a.all === true ? 'all' : 'open' });
			return { counts: await q.counts(), rows };
		}
		case 'quarantine-show': {
			const source = text(a, 'source');
			const originId = text(a, 'originId');
			const line = typeof a.line === 'number' ? a.line : NaN;
			if (!source || !originId || !Number.isInteger(line)) throw new CommandInputError('用法: quarantine show <来源> <批次编号> <行号>', 'missing arguments');
			const row = await new Quarantine(app.analytics.conn).get(source, originId, line);
			if (!row) throw new CommandInputError('隔离区中没有这条记录', `no quarantine row ${source}/${originId}/${line}`, 'not_found');
			return row;
		}
		case 'quarantine-replay': {
			const o = { source: text(a, 'source') ?? null, mappingJson: text(a, 'mappingJson') ?? null, mappingFileName: text(a, 'mappingFileName') ?? null };
			// in the ingest queue, as the admin page's replay; the command line's own process then ends its service
			try {
				return await replayQuarantine(app, o);
			} finally {
				if (!server) await ingestService(app).close();
			}
		}
	}
}
