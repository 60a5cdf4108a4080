#!/usr/bin/env node
// Starts the built Minqing server (adapter-node's handler) after pre-flight checks, so bad configuration
// stops start-up with one clear message instead of a stack trace; on shutdown stops the analytics queries and closes the relational store.
// Honours PORT and HOST as adapter-node does. Plain JavaScript: it runs before and without any build tooling.
import { existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { badBodySizeLimit, defaultBodySizeLimit } from './lib/server/push-limit.js';
import { missingStaticGuard } from './static-files.js';

// libuv's thread pool is sized by src/start.cjs, the entry point (npm start), before this module loads.
if (!process.env.UV_THREADPOOL_SIZE)
	console.warn('[minqing] UV_THREADPOOL_SIZE is not set: start the server with `npm start` (src/start.cjs), or logins may wait for DuckDB queries');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';

/** @param {string} message @param {string} [detail] @returns {never} */
function fail(message, detail) {
	console.error(`\n[minqing] 启动失败：${message}`);
	if (detail) console.error(`[minqing] detail: ${detail}`);
	process.exit(1);
}

/** @returns {Promise<void>} */
function checkPortFree() {
	return new Promise((resolve) => {
		const probe = createNetServer();
		probe.once('error', (/** @type {NodeJS.ErrnoException} */ e) => {
			if (e.code === 'EADDRINUSE') fail(`端口 ${port} 已被占用，请停止占用它的程序或用 PORT 指定其他端口`, `listen ${host}:${port}: EADDRINUSE`);
			else if (e.code === 'EACCES') fail(`没有权限监听端口 ${port}，请用 PORT 指定 1024 以上的端口`, `listen ${host}:${port}: EACCES`);
			else fail(`无法监听 ${host}:${port}`, e.message);
		});
		probe.listen(port, host, () => probe.close(() => resolve()));
	});
}

if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT 必须是 0–65535 的整数，当前为“${process.env.PORT}”`, `PORT=${process.env.PORT}`);
const handlerPath = join(root, 'build', 'handler.js');
if (!existsSync(handlerPath)) fail('找不到构建产物 build/handler.js，请先运行 npm run build', `missing ${handlerPath}`);
await checkPortFree();

// Without ORIGIN or a proxy's protocol header, adapter-node assumes https; a plain-http start would then fail
// SvelteKit's form origin check. Tell it the real protocol of each connection (a client cannot forge it:
// any incoming header of that name is replaced). Behind a reverse proxy, set ORIGIN or PROTOCOL_HEADER.
// Feed pushes are larger than adapter-node's default body limit (512K), which it enforces before any route: unless
// set, it is 64M, or the push limit (MINQING_PUSH_LIMIT_MB) when that is larger, so a push up to its limit reaches
// the ingest endpoint, which applies that limit itself. One set below the push limit is refused (config.ts).
if (!process.env.BODY_SIZE_LIMIT) process.env.BODY_SIZE_LIMIT = defaultBodySizeLimit(process.env.MINQING_PUSH_LIMIT_MB);
else {
	// adapter-node would throw on a malformed one while loading, before the configuration is read
	const bad = badBodySizeLimit(process.env.BODY_SIZE_LIMIT);
	if (bad) fail(bad.message, bad.detail);
}

const OWN_PROTO = 'x-minqing-connection-proto';
const useOwnProto = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (useOwnProto) process.env.PROTOCOL_HEADER = OWN_PROTO;

/** @type {import('node:http').RequestListener} */
let handler;
try {
	process.env.MINQING_ROOT ??= root;
	({ handler } = await import(pathToFileURL(handlerPath).href));
} catch (e) {
	const err = /** @type {any} */ (e);
	if (err?.name === 'StartupError') fail(err.userMessage, err.detail);
	fail('服务初始化时出错', err?.stack ?? String(err));
}

// a static file gone since the start (the app rebuilt in place) is answered here: sirv would end the process
const staticGone = missingStaticGuard(join(root, 'build', 'client'));
// a mapping travels in a request header of the file-ingest endpoint: allow more than Node's 16 KB of headers
const server = createHttpServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
	if (useOwnProto) req.headers[OWN_PROTO] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
	if (staticGone(req, res)) return;
	handler(req, res);
});
// keep idle connections longer than clients do (undici: 4 s unless told): a server that closes an idle
// connection just as a busy client sends its next request on it resets that request (seen under load as
// ECONNRESET on a feed push); Node wants the header timeout above the keep-alive one
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.on('error', (/** @type {NodeJS.ErrnoException} */ e) =>
	fail(e.code === 'EADDRINUSE' ? `端口 ${port} 已被占用，请用 PORT 指定其他端口` : `无法监听 ${host}:${port}`, e.message)
);
server.listen(port, host, () => {
	const shown = host === '0.0.0.0' ? 'localhost' : host;
	console.log(`[minqing] 已启动：http://${shown}:${port}`);
});

let stopping = false;
const SHUTDOWN_LIMIT_MS = 20_000;
async function shutdown(/** @type {string} */ signal) {
	if (stopping) return;
	stopping = true;
	console.log(`[minqing] 收到 ${signal}，正在关闭…`);
	// a step that never finishes must not keep the process (and its port and files) forever: say which, then go
	let step = '停止接收请求';
	setTimeout(() => {
		console.error(`[minqing] 关闭超时（${SHUTDOWN_LIMIT_MS / 1000} 秒），强制退出；未完成的步骤：${step}`);
		// not process.exit: it joins libuv's worker threads, and a thread stuck in native code would hold it forever
		process.kill(process.pid, 'SIGKILL');
	}, SHUTDOWN_LIMIT_MS).unref();
	server.close();
	server.closeIdleConnections?.();
	// the server's own shutdown work first (presence file, drop folder), then the stores
	for (const fn of /** @type {any} */ (globalThis)[Symbol.for('minqing.shutdown')] ?? []) {
		step = `关闭服务（${fn.name || '匿名'}）`;
		try {
			await fn();
		} catch (e) {
			console.error('[minqing] 关闭时出错：', /** @type {Error} */ (e).message);
		}
	}
	const appPromise = /** @type {any} */ (globalThis)[Symbol.for('minqing.app')];
	try {
		step = '等待应用启动完成';
		const a = appPromise ? await appPromise : null;
		// DuckDB: the running queries are interrupted and waited for, but nothing is closed — a request or a
		// background round may still start a query, and a connection closed under its query hangs process.exit
		// (which joins the thread running it); committed work is in the write-ahead log
		step = '停止分析库（DuckDB）的查询';
		await a?.analytics.quiesce();
		step = '关闭业务库';
		await a?.rel.close();
	} catch (e) {
		console.error('[minqing] 关闭数据存储时出错：', /** @type {Error} */ (e).message);
	}
	process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
