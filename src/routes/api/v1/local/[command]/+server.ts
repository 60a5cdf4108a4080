import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { apiError } from '$lib/server/http';
import { CommandInputError, isLocalCommand, runLocalCommand } from '$lib/server/local-commands';
import { isLocalSecret } from '$lib/server/presence';
import type { RequestHandler } from './$types';

const STATUS: Record<string, number> = { invalid_input: 400, exists: 409, not_found: 404, conflict: 409 };

/**
 * A command of `npm run cli` run by this server while it holds the stores (LOCAL_COMMANDS: user-add, user-list,
 * user-disable, user-enable, user-passwd, token-create, token-list, token-revoke, quarantine-list, quarantine-show,
 * quarantine-replay): the command's arguments as a JSON object, what it prints as the answer.
 * Only with this server's local secret (from `<dataDir>/server.json`, readable by the data directory's owner).
 */
export const POST: RequestHandler = async ({ request, params }) => {
	if (!isLocalSecret(request.headers.get('authorization'))) return apiError(401, 'unauthenticated', '本地密钥无效：此接口只供本机的命令行使用');
	if (!isLocalCommand(params.command)) return apiError(404, 'not_found', `没有命令 ${params.command}`);
	let args: unknown;
	try {
		args = await request.json();
	} catch {
		return apiError(400, 'bad_json', '请求体应为命令参数的 JSON 对象');
	}
	if (!args || typeof args !== 'object' || Array.isArray(args)) return apiError(400, 'bad_json', '请求体应为命令参数的 JSON 对象');
	try {
		return json(await runLocalCommand(await app(), params.command, args as Record<string, unknown>, true));
	} catch (e) {
		if (!(e instanceof CommandInputError)) throw e;
		return json({ error: { code: e.code, message: e.message, detail: e.detail } }, { status: STATUS[e.code] ?? 400 });
	}
};
