// The built app's static files (build/client) that adapter-node serves with sirv. sirv lists them once, when the
// server starts, and when a listed file is gone by the time it is asked for (the app rebuilt in place while this
// server still runs: `npm run build` deletes build/ first) its read stream fails with no listener, which ends the
// whole process. launch.js asks this guard first: such a request gets a 503 in plain Chinese, the log says once
// that the server must be restarted, and the server keeps serving everything else. Plain JavaScript: it runs
// without any build tooling.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The guard for the files under `dir` as they are now (what sirv has listed): a function that answers a request
 * for one of them that is gone, and says whether it did.
 * @param {string} dir
 * @param {(message: string) => void} [log]
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean}
 */
export function missingStaticGuard(dir, log = (m) => console.error(m)) {
	/** @type {Set<string>} */
	const listed = new Set();
	if (existsSync(dir))
		for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
			if (e.isFile()) listed.add('/' + join(e.parentPath ?? e.path, e.name).slice(dir.length + 1).split('\\').join('/'));
	let said = false;
	return (req, res) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') return false;
		let path = (req.url ?? '/').split('?')[0];
		if (path.includes('%'))
			try {
				path = decodeURI(path);
			} catch {
				return false;
			}
		// sirv may send the precompressed copy instead of the file itself
		const gone = ['', '.br', '.gz'].find((ext) => listed.has(path + ext) && !existsSync(join(dir, path + ext)));
		if (gone === undefined) return false;
		if (!said) {
			said = true;
			log(`[minqing] 构建产物已被替换（缺少 ${join(dir, path + gone)}）：请重启服务器，新版本重启后才生效；在此之前页面可能无法加载`);
		}
		res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
		res.end('服务程序已更新，请稍后刷新页面（服务器需要重启）');
		return true;
	};
}
