// Runtime configuration from the environment. One place reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_NICE } from './threads';
import { MAX_PUSH_LIMIT_MB, badBodySizeLimit, parseBodySizeLimit, parsePushLimitMb } from './push-limit.js';

export interface Config {
	/** the checkout (or installed app) root: where package.json, data/ and the migrations live */
	root: string;
	/** committed reference data: geo, taxonomy, units, dictionaries, demo corpus */
	referenceDir: string;
	/** generated stores (DuckDB file, embedded PGlite); configurable */
	dataDir: string;
	/** PostgreSQL when set; otherwise the embedded PGlite under dataDir */
	databaseUrl: string | null;
	/** demo mode: demo accounts exist and demo data is generated on first start */
	demo: boolean;
	demoTickets: number;
	demoDays: number;
	demoSeed: number;
	sessionDays: number;
	/** DuckDB's memory limit (its own syntax, e.g. 2GB); it spills to disk beyond it */
	duckdbMemory: string;
	/** the address people open the app at, for links in notifications (MINQING_PUBLIC_URL, else ORIGIN) */
	publicUrl: string;
	/**
	 * nice value of the server's background threads (DuckDB, text analysis), 0–19; 0 leaves them at the default
	 * priority of the threads that answer requests (threads.ts)
	 */
	backgroundNice: number;
	/** the largest feed push accepted by POST /api/v1/ingest, in MB (MINQING_PUSH_LIMIT_MB), unpacked */
	pushLimitMb: number;
	/**
	 * the CJK font the briefings' PDF embeds (a subset): MINQING_PDF_FONT, a .ttf, .otf or a collection (.ttc/.otc)
	 * with the face's PostScript name in MINQING_PDF_FONT_FAMILY. Not checked at start: without it the PDF export says
	 * so and the .docx still works.
	 */
	pdfFont: { path: string; family: string | null };
}

export const DEFAULT_PDF_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
export const DEFAULT_PDF_FONT_FAMILY = 'NotoSansCJKsc-Regular';

/** Thrown for problems an operator must fix before the app can start; printed without a stack. */
export class StartupError extends Error {
	constructor(
		/** for the person starting the app, in Chinese */
		readonly userMessage: string,
		/** precise, for logs */
		readonly detail: string
	) {
		super(`${userMessage} (${detail})`);
		this.name = 'StartupError';
	}
}

/** Walks up from this module (source or bundled build) to the directory whose package.json is Minqing's. */
export function findRoot(start = dirname(fileURLToPath(import.meta.url))): string {
	if (process.env.MINQING_ROOT) return resolve(process.env.MINQING_ROOT);
	let dir = start;
	for (;;) {
		const pkg = join(dir, 'package.json');
		if (existsSync(pkg)) {
			try {
				if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'minqing') return dir;
			} catch {
				/* keep walking */
			}
		}
		const up = dirname(dir);
		if (up === dir) return process.cwd();
		dir = up;
	}
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min) {
		throw new StartupError(`配置项 ${name} 必须是不小于 ${min} 的整数，当前为“${raw}”`, `${name}=${raw} is not an integer >= ${min}`);
	}
	return n;
}

function intBetween(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
	const n = intFrom(env, name, fallback, min);
	if (n > max)
		throw new StartupError(`配置项 ${name} 必须在 ${min} 到 ${max} 之间，当前为“${env[name]}”`, `${name}=${env[name]} is above ${max}`);
	return n;
}

function memoryFrom(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
	const raw = (env[name] ?? '').trim();
	if (!raw) return fallback;
	if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw)) {
		throw new StartupError(`配置项 ${name} 应为带单位的内存大小，例如 2GB，当前为“${raw}”`, `${name}=${raw} is not a memory size`);
	}
	return raw;
}

/**
 * MINQING_PUSH_LIMIT_MB: a number of MB above 0, at most MAX_PUSH_LIMIT_MB, and not above BODY_SIZE_LIMIT when that
 * is set (adapter-node refuses a larger body before the push endpoint sees it; src/launch.js sets it from the push
 * limit when it is not set).
 */
function pushLimitFrom(env: NodeJS.ProcessEnv): number {
	const name = 'MINQING_PUSH_LIMIT_MB';
	const raw = env[name];
	const mb = parsePushLimitMb(raw);
	if (mb === null || mb > MAX_PUSH_LIMIT_MB)
		throw new StartupError(
			`配置项 ${name} 必须是大于 0、不超过 ${MAX_PUSH_LIMIT_MB} 的数（单位 MB），当前为“${raw}”`,
			`${name}=${raw} is not a number above 0 and at most ${MAX_PUSH_LIMIT_MB}`
		);
	const body = env.BODY_SIZE_LIMIT;
	if (body) {
		const bad = badBodySizeLimit(body);
		if (bad) throw new StartupError(bad.message, bad.detail);
		const bytes = parseBodySizeLimit(body);
		if (mb * 1_048_576 > bytes)
			throw new StartupError(
				`推送上限 ${name}=${mb}（MB）大于请求体上限 BODY_SIZE_LIMIT=${body}，超出 BODY_SIZE_LIMIT 的推送到不了推送接口。` +
					`请调高 BODY_SIZE_LIMIT 或不设它（不设时按推送上限设定），或调低 ${name}`,
				`${name}=${raw} (${mb * 1_048_576} bytes) is above BODY_SIZE_LIMIT=${body} (${bytes} bytes)`
			);
	}
	return mb;
}

/** The PDF font: a collection needs the face's name (the default's, NotoSansCJKsc-Regular, for the default file). */
function pdfFontFrom(env: NodeJS.ProcessEnv): Config['pdfFont'] {
	const path = env.MINQING_PDF_FONT?.trim() || DEFAULT_PDF_FONT;
	const family = env.MINQING_PDF_FONT_FAMILY?.trim() || (/\.(ttc|otc)$/i.test(path) ? DEFAULT_PDF_FONT_FAMILY : null);
	return { path, family };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const root = findRoot();
	const demoRaw = (env.MINQING_DEMO ?? '').toLowerCase();
	return {
		root,
		referenceDir: join(root, 'data'),
		dataDir: env.MINQING_DATA_DIR === ':memory:' ? ':memory:' : resolve(root, env.MINQING_DATA_DIR || join('data', 'db')),
		databaseUrl: env.DATABASE_URL ? env.DATABASE_URL : null,
		demo: demoRaw === '1' || demoRaw === 'true' || demoRaw === 'yes',
		demoTickets: intFrom(env, 'MINQING_DEMO_TICKETS', 200_000, 1),
		demoDays: intFrom(env, 'MINQING_DEMO_DAYS', 365, 1),
		demoSeed: intFrom(env, 'MINQING_DEMO_SEED', 12345),
		sessionDays: intFrom(env, 'MINQING_SESSION_DAYS', 7, 1),
		duckdbMemory: memoryFrom(env, 'MINQING_DUCKDB_MEMORY', '2GB'),
		backgroundNice: intBetween(env, 'MINQING_BACKGROUND_NICE', 10, 0, MAX_NICE),
		pushLimitMb: pushLimitFrom(env),
		pdfFont: pdfFontFrom(env),
		publicUrl: (env.MINQING_PUBLIC_URL || env.ORIGIN || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '')
	};
}
