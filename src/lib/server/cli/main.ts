// Minqing's command line: `npm run cli -- <command> [options]`. Runs the same library code as the server,
// on the same stores, when no server holds them; while one does, its commands on the stores go through the server's
// API (ingest, user, token, quarantine) or refuse (demo, classify --train), never opening the files it holds.
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, join, resolve } from 'node:path';
import { ingestFile, type FileIngestSummary } from '$pipelines/ingest/files';
import { MappingError, loadMapping } from '$pipelines/ingest/mapping';
import { Ingestor, unreadableFile } from '$pipelines/ingest/pipeline';
import { Geocoder } from '$pipelines/normalize/index';
import { segmentCli } from '$pipelines/segment/cli';
import { detectSeriesCli } from '$pipelines/alerts/series-cli';
import { createSegmenter } from '$pipelines/segment/index';
import { loadModel, runClassifyCli } from '$pipelines/text/classify';
import { runClusterCli } from '$pipelines/text/cluster-cli';
import { trainToFile } from '$pipelines/text/train';
import { ANALYZER_WORKERS, createAnalyzer } from '$pipelines/text/analyzer';
import { threadCpuSeconds } from '$pipelines/segment/worker-start';
import { maintainTextIndex } from '$pipelines/warehouse/text-index';
import { maintainRollups } from '$pipelines/warehouse/schema';
import { enrichPending } from '$pipelines/text/enrich';
import { clusteredMessage, handOverFeedTickets } from '../ingest';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ensureDataDir, generateDemo, startApp, stopApp, type App, type StartOptions } from '../app';
import { segmenterOverlay } from '../lexicon';
import { claimDataDir, dataDirOwner, ownedError } from '../owner';
import { StartupError, loadConfig, type Config } from '../config';
import { queryRows } from '../analytics/duckdb';
import { findRunningServer, type Presence } from '../presence';
import { CommandInputError, runLocalCommand, type LocalCommand } from '../local-commands';
import { isSourceName, SOURCE_NAME_RULE } from '../source-name';
import { commandHelp, takeDataDir, usageErrorOf, UsageError, wantsHelp } from './args';
import { BAR_OPTIONS, fileProgressScale, progressValue, syncProgressReporter } from './progress';

const COMMON_OPTIONS = `通用选项: --data-dir DIR（同 MINQING_DATA_DIR）；各命令加 --help 显示该命令的用法
退出码: 0 完成；1 失败；2 用法有误（ingest 另有：某个文件完全无法读取）`;

const HELP = `民情 Minqing 命令行

用法: npm run cli -- <命令> [选项]

命令:
  demo [--tickets N] [--days D] [--seed S] [--reset] [--analytics-only]
        生成演示数据（默认 200000 条、365 天、种子 12345），确定性：同一种子结果相同，并完成文本分析（分词、情绪、检索索引）。
        --reset 先删除数据目录中的分析库与内置业务库；--analytics-only 只写分析库、不做文本分析（基准测试用）。
  user add --username U --name 名称 --role 角色 [--unit 单位代码]
        新建用户，密码从环境变量 MINQING_PASSWORD 读取（至少 8 位）。
        角色: admin leader analyst emergency operator dispatcher supervisor unit_handler
  user list
        列出用户（JSON）：用户名、姓名、角色、所属单位、是否启用、是否演示账号；不含密码。
  user disable <用户名>
        停用用户：其登录会话立即结束，此后登录被拒绝（与密码错误的提示相同）；不能停用最后一个启用的系统管理员。
  user enable <用户名>
        重新启用停用的用户（演示账号只在演示模式下启用）。
  user passwd <用户名>
        重设密码，新密码从环境变量 MINQING_PASSWORD 读取（至少 8 位）；该用户的登录会话全部结束，须用新密码重新登录。
  ingest <文件…> [--source 名称] [--mapping 映射文件] [--batch N] [--merge-threads N]
        接入 NDJSON / CSV（UTF-8 或 GBK/GB18030）/ Parquet 文件；终端上显示进度条，结束时输出 JSON 汇总。
        无法按其格式读取的文件（如表头中没有可识别列名的 CSV、内容是 JSON 数组的 .json）整体拒收并说明原因，退出码为 2。
        服务器正在运行时，文件经由其 API 上传接入（无需停止服务器）；user、token、quarantine 同样经由服务器执行；
        demo、classify --train 与 pair 则须先停止服务器。
  quarantine list [--source 名称] [--reason 代码] [--limit N] [--all] | show <来源> <批次> <行号> | replay [--source 名称] [--mapping 映射文件]
        查看与重放隔离区中被拒绝的记录（重放用于修正映射之后）；list 默认最多 50 条未处理的记录，--all 也列出已重放的。
  token create --name 名称 --source 来源 [--scope ingest,open311]
        新建 API 令牌（仅显示一次）。
  token list
        列出 API 令牌（JSON）：编号、名称、来源、权限、创建时间、最近使用时间、是否已吊销；不显示令牌本身。
  token revoke <编号>
        吊销令牌：此后用它推送、上传或提交 Open311 诉求均被拒绝。
  segment [--no-dict] [--hmm]
        从标准输入逐行读取文本，输出以单个空格分隔的分词结果（用于评测）。
        --no-dict 不用用户词典（地名、单位、热线用语）；--hmm 用 jieba 的 HMM 识别未登录词（默认关闭）。
  classify [--train] [--model 文件]
        从标准输入逐行读取 JSON（{"title": …, "content": …} 或 {"text": …}），每行输出一行 JSON：
        分类与承办单位的前三名建议及概率。--train 先用分析库中的工单训练模型（服务器须停止）；
        模型默认存放在 <数据目录>/models/classifier.json（服务器每 7 天自动重新训练）。
  cluster [--k auto|N] [--seed S]
        从标准输入逐行读取文本，聚类为话题，每行输出一个话题编号（-1 表示离群；用于评测）。
  detect-series <文件.csv>
        读取 timestamp,value 两列的 CSV（可有表头），用产品默认的预警检测设置与阈值逐行打分，
        输出 timestamp,value,score,alert（score 为 0–1 的异常分，alert=1 表示在该点开始一次预警；用于评测）。
  pair
        让数据目录中的分析库与现在设置的业务库（DATABASE_URL，未设置时为数据目录中的内置数据库）配对（服务器须停止）。
        分析库记着与它配对的业务库，启动时遇到另一个业务库（如漏设了 DATABASE_URL）会拒绝启动；确要换用另一个业务库时运行此命令：
        分析库的数据保留，全部工单从新的业务库重新同步。同一数据库换了地址、账号或经转储恢复到另一台服务器，无须配对。
  help [命令]  显示本帮助，或某个命令的用法

${COMMON_OPTIONS}
`;

function int(v: string | undefined, name: string, fallback: number, min = 1): number {
	if (v === undefined) return fallback;
	const n = Number(v.replaceAll('_', ''));
	if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} 必须是不小于 ${min} 的整数`, `${name}=${v}`);
	return n;
}

/** The command being run (after --data-dir is taken out): what the owner file names while it holds the stores. */
let running: string | undefined;

async function withApp<T>(config: Config, fn: (a: App) => Promise<T>, quiet = false, o: StartOptions = {}): Promise<T> {
	const a = await startApp({ ...config, demo: false }, quiet ? () => {} : (m) => console.error(m), { owner: `命令行 ${running ?? ''}`.trim(), ...o });
	try {
		return await fn(a);
	} finally {
		await stopApp(a);
	}
}

async function demo(config: Config, args: string[]) {
	const { values } = parseArgs({
		args,
		options: {
			tickets: { type: 'string' },
			days: { type: 'string' },
			seed: { type: 'string' },
			reset: { type: 'boolean', default: false },
			'analytics-only': { type: 'boolean', default: false }
		}
	});
	const tickets = int(values.tickets, '--tickets', config.demoTickets);
	const days = int(values.days, '--days', config.demoDays);
	const seed = int(values.seed, '--seed', config.demoSeed, 0);
	await refuseWhileServerRuns(config, 'demo');
	// the data directory is this command's from before anything is deleted until its stores are closed: a server
	// starting meanwhile (no server.json, no /healthz yet) is refused, or refuses this command (owner.ts)
	if (config.dataDir !== ':memory:') ensureDataDir(config.dataDir);
	const release = claimDataDir(config.dataDir, '命令行 demo', 'demo');
	try {
		if (values.reset) {
			// the two stores belong together: the analytics copy is rebuilt from the relational one at start
			if (config.databaseUrl) throw new StartupError('--reset 只用于内置数据库；使用 PostgreSQL（DATABASE_URL）时请由管理员清理数据库', 'refusing --reset with DATABASE_URL');
			const duck = join(config.dataDir, 'minqing.duckdb');
			for (const f of [duck, `${duck}.wal`, join(config.dataDir, 'pglite'), join(config.dataDir, 'demo-incidents.json')]) rmSync(f, { recursive: true, force: true });
		}
		await demoInto(config, tickets, days, seed, values['analytics-only']);
	} finally {
		release();
	}
}

async function demoInto(config: Config, tickets: number, days: number, seed: number, analyticsOnly: boolean | undefined) {
	const values = { 'analytics-only': analyticsOnly };
	const result = await withApp(config, async (a) => {
		const [{ n }] = await queryRows<{ n: number }>(a.analytics.conn, 'SELECT count(*)::DOUBLE AS n FROM tickets_fact');
		if (n > 0) throw new StartupError(`分析库中已有 ${n} 条工单；如需重新生成请加 --reset`, `tickets_fact has ${n} rows`);
		const bar = process.stderr.isTTY
			? new cliProgress.SingleBar(
					{ format: '演示数据 [{bar}] {percentage}% | {value}/{total} 条 | {speed} 条/秒 | 剩余 {eta_formatted}', stream: process.stderr, ...BAR_OPTIONS },
					cliProgress.Presets.shades_classic
				)
			: null;
		const t0 = performance.now();
		bar?.start(tickets, 0, { speed: 0 });
		let lastLog = 0;
		const r = await generateDemo(a, { tickets, days, seed, relational: !values['analytics-only'] }, (m) => console.error(m), (done, total) => {
			const speed = Math.round(done / Math.max(0.001, (performance.now() - t0) / 1000));
			if (bar) bar.update(done, { speed });
			else if (performance.now() - lastLog > 5000 || done === total) {
				lastLog = performance.now();
				console.error(`演示数据 ${done}/${total}（${speed} 条/秒）`);
			}
		});
		bar?.stop();
		if (!values['analytics-only']) {
			// tokens, keywords, sentiment and the word index, as the server would do after its start
			const analyzer = await createAnalyzer(a.config.referenceDir, undefined, segmenterOverlay(a.ref));
			try {
				const t1 = performance.now();
				const n = await enrichPending(a.analytics.conn, analyzer);
				await maintainTextIndex(a.analytics.conn);
				console.error(`[minqing] 文本分析完成：${n} 条工单，用时 ${((performance.now() - t1) / 1000).toFixed(1)} 秒`);
			} finally {
				await analyzer.close();
			}
		}
		return r;
	});
	console.log(
		JSON.stringify({
			tickets: result.tickets,
			relational: result.relational,
			incidents: result.incidents.length,
			firstDay: result.firstDay,
			lastDay: result.lastDay,
			seconds: Number(result.seconds.toFixed(2)),
			ticketsPerSecond: Math.round(result.tickets / result.seconds),
			peakRssMB: peakRssMB()
		})
	);
}

const USER_USAGE = '用法: user add --username U --name 名称 --role 角色 [--unit 单位代码] | user list | user disable|enable|passwd <用户名>';

async function user(config: Config, args: string[]) {
	const [sub, ...rest] = args;
	// wrong usage is said before the stores are opened (or created)
	switch (sub) {
		case 'add': {
			const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' } } });
			if (!values.username || !values.role)
				throw new UsageError('必须提供 --username 和 --role：user add --username U --name 名称 --role 角色 [--unit 单位代码]', 'missing --username/--role');
			console.log(JSON.stringify(await localCommand(config, 'user-add', { ...values, password: process.env.MINQING_PASSWORD ?? '' })));
			return;
		}
		case 'list':
			parseArgs({ args: rest, options: {} });
			console.log(JSON.stringify(await localCommand(config, 'user-list', {}), null, 1));
			return;
		case 'disable':
		case 'enable':
		case 'passwd': {
			const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
			if (positionals.length !== 1 || !positionals[0])
				throw new UsageError(`用法: user ${sub} <用户名>（一个用户名）`, `user ${sub}: expected one username, got ${JSON.stringify(positionals)}`);
			const username = positionals[0];
			const out =
				sub === 'passwd'
					? await localCommand(config, 'user-passwd', { username, password: process.env.MINQING_PASSWORD ?? '' })
					: await localCommand(config, sub === 'disable' ? 'user-disable' : 'user-enable', { username });
			console.log(JSON.stringify(out));
			return;
		}
		default:
			throw new UsageError(USER_USAGE, `unknown user subcommand ${sub}`);
	}
}

/**
 * A command on the stores (local-commands.ts): run here when no server holds them, else by the server through its
 * API with its local secret — never on files a running server holds.
 */
async function localCommand(config: Config, command: LocalCommand, args: Record<string, unknown>): Promise<unknown> {
	const server = await findRunningServer(config.dataDir);
	try {
		if (!server) return await withApp(config, (a) => runLocalCommand(a, command, args), true);
		const where = `${command} through the server (pid ${server.pid}, ${server.url})`;
		let res: { status: number; body: unknown };
		try {
			// node:http, not fetch: no time limit on the answer (a replay waits in the server's ingest queue)
			res = await postJson(new URL(`/api/v1/local/${command}`, server.url), server.localSecret, args);
		} catch (e) {
			throw new StartupError(
				`无法连接运行中的民情服务器（进程 ${server.pid}，${server.url}），命令未执行或结果未知：${(e as Error).message}。请确认服务器在运行后重试`,
				`${where}: ${(e as Error).message}`
			);
		}
		const body = res.body as { error?: { message?: string; detail?: string } } | null;
		if (res.status === 200) return body;
		const message = body?.error?.message ?? `服务器返回 ${res.status}`;
		throw new StartupError(message, `${where}: ${res.status} ${body?.error?.detail ?? message}`);
	} catch (e) {
		if (e instanceof CommandInputError) throw new StartupError(e.message, e.detail);
		throw e;
	}
}

async function ingest(config: Config, args: string[]) {
	const { values, positionals } = parseArgs({
		args,
		allowPositionals: true,
		options: { source: { type: 'string', default: 'file' }, mapping: { type: 'string' }, batch: { type: 'string' }, 'merge-threads': { type: 'string' } }
	});
	if (!positionals.length) throw new UsageError('请指定要接入的文件：npm run cli -- ingest <文件…>', 'no input files');
	for (const p of positionals) {
		if (!existsSync(p)) throw new StartupError(`找不到文件 ${p}`, `ENOENT ${p}`);
		if (!statSync(p).isFile()) throw new StartupError(`${p} 不是普通文件（是文件夹或设备）：请指定要接入的文件`, `not a regular file: ${p}`);
	}
	// the same rule as the server's (a folder name under inbox/, a token's source)
	if (!isSourceName(values.source!))
		throw new StartupError(`--source「${values.source}」${SOURCE_NAME_RULE}`, `bad source name ${JSON.stringify(values.source)}`);
	const mapping = values.mapping ? loadMappingOrExit(values.mapping) : null;
	const batchSize = values.batch ? int(values.batch, '--batch', 20_000) : undefined;
	// DuckDB threads while batches merge: the cores the segmentation workers leave (a second thread on a 2-core
	// machine whose two workers are busy only adds switching; compare with --merge-threads 2 in the bench)
	const mergeThreads = int(values['merge-threads'], '--merge-threads', Math.max(1, availableParallelism() - ANALYZER_WORKERS));
	const server = await findRunningServer(config.dataDir);
	if (server) {
		// the server owns the stores: hand the files to it
		if (batchSize) console.error('[minqing] 经由服务器接入时不使用 --batch');
		if (values['merge-threads']) console.error('[minqing] 经由服务器接入时不使用 --merge-threads');
		const summaries = await ingestThroughServer(server, positionals, values.source!, values.mapping ?? null);
		printIngestSummaries(summaries, { peakRssMB: peakRssMB() });
		failUnreadable(positionals, summaries);
		return;
	}
	let segmentationCpu: number | null = null;
	const summaries = await withApp(config, async (a) => {
		const analyzer = await createAnalyzer(a.config.referenceDir, undefined, segmenterOverlay(a.ref));
		try {
			const ingestor = new Ingestor({ conn: a.analytics.conn, ref: a.ref, geocoder: new Geocoder(a.ref), analyzer });
			const out = [];
			for (const path of positionals) {
				// bytes, or rows for Parquet (its records carry no byte offset: a bar in bytes stayed at 0 %)
				const scale = await fileProgressScale(a.analytics.conn, resolve(path), mapping?.input.format);
				const bar = process.stderr.isTTY
					? new cliProgress.SingleBar(
							{ format: `${basename(path)} [{bar}] {percentage}% | {records} 条 | {rate} 条/秒 | 剩余 {eta_formatted}`, stream: process.stderr, ...BAR_OPTIONS },
							cliProgress.Presets.shades_classic
						)
					: null;
				const t0 = performance.now();
				bar?.start(scale.total, 0, { records: 0, rate: 0 });
				const summary = await ingestFile(ingestor, a.analytics.conn, path, {
					source: values.source!,
					mapping,
					batchSize,
					mergeThreads,
					onFeedTickets: (t) => handOverFeedTickets(a, t),
					onProgress: (p) => {
						const { read } = p;
						const rate = Math.round(read / Math.max(0.001, (performance.now() - t0) / 1000));
						if (bar) bar.update(progressValue(scale, p), { records: read, rate });
						else console.error(`${basename(path)}: ${read} 条（${rate} 条/秒）`);
					}
				});
				bar?.update(scale.total, { records: summary.read });
				bar?.stop();
				out.push(summary);
			}
			// the word index in term order again when the appends have grown large
			if (await maintainTextIndex(a.analytics.conn)) console.error('[minqing] 检索索引已整理');
			// the rollup rows the batches appended, in clusterOrder again
			const clustered = await maintainRollups(a.analytics.conn);
			if (clustered) console.error(clusteredMessage(clustered));
			return out;
		} finally {
			segmentationCpu = analyzer.cpuSeconds();
			await analyzer.close();
		}
	});
	// CPU time of the whole process, its worker threads included: a steadier figure than seconds on a shared machine;
	// and where it went, where the system tells (the rest: DuckDB's threads, the embedded store's, the runtime's)
	const cpu = process.cpuUsage();
	const cpuSeconds = (cpu.user + cpu.system) / 1e6;
	const mainCpu = threadCpuSeconds();
	const round = (x: number) => Math.round(x * 10) / 10;
	printIngestSummaries(summaries, {
		peakRssMB: peakRssMB(),
		cpuSeconds: round(cpuSeconds),
		...(segmentationCpu !== null && mainCpu !== null
			? { cpuByThread: { segmentation: round(segmentationCpu), main: round(mainCpu), other: round(cpuSeconds - segmentationCpu - mainCpu) } }
			: {})
	});
	failUnreadable(positionals, summaries);
}

/**
 * Exit code 2, and a line on stderr for each, when a file could not be read at all (the summary's reason codes,
 * and the reader's message when it is known).
 */
function failUnreadable(paths: readonly string[], summaries: readonly Pick<FileIngestSummary, 'read' | 'quarantinedByReason' | 'fileError'>[]): void {
	summaries.forEach((s, i) => {
		const codes = unreadableFile(s);
		if (!codes) return;
		console.error(`[minqing] 文件 ${paths[i]} 无法读取（${codes.join('、')}），没有接入任何记录${s.fileError ? `\n[minqing] 原因：${s.fileError}` : ''}`);
		process.exitCode = 2;
	});
}

/** Peak resident memory of this process so far, in MB. */
function peakRssMB(): number {
	return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Ingest's JSON summary: one file's summary as it is, several under `files`, with what the process used. */
function printIngestSummaries(summaries: readonly object[], usage: Record<string, unknown>): void {
	console.log(JSON.stringify(summaries.length === 1 ? { ...summaries[0], ...usage } : { files: summaries, ...usage }, null, 1));
}

function loadMappingOrExit(path: string) {
	try {
		return loadMapping(path);
	} catch (e) {
		if (e instanceof MappingError) throw new StartupError(e.message, e.detail ?? e.message);
		throw e;
	}
}

/** `pair`: the analytics store of the data directory is paired with the relational store configured now (pairing.ts). */
async function pairCmd(config: Config, args: string[]) {
	parseArgs({ args, options: {} });
	if (config.dataDir === ':memory:') throw new UsageError('内存模式下没有数据目录，无须配对', 'dataDir :memory:');
	await refuseWhileServerRuns(config, 'pair');
	// every ticket is synced again: a bar on a terminal, else a line every 5 s
	const bar = process.stderr.isTTY
		? new cliProgress.SingleBar({ format: '重新同步 [{bar}] {percentage}% | {value}/{total} 条工单 | 剩余 {eta_formatted}', stream: process.stderr, ...BAR_OPTIONS }, cliProgress.Presets.shades_classic)
		: null;
	const onSyncProgress = syncProgressReporter(bar, (m) => console.error(m));
	try {
		const out = await withApp(config, async (a) => ({ relational: a.rel.kind, store: a.rel.describe, analytics: a.analytics.path }), false, { pair: true, onSyncProgress });
		console.log(JSON.stringify(out));
	} finally {
		bar?.stop();
	}
}

/**
 * Commands that cannot go through the server's API yet refuse while a server holds the data directory — also one
 * still starting, which has claimed it (owner.ts) but announces itself and answers only once it has started.
 */
async function refuseWhileServerRuns(config: Config, command: string): Promise<void> {
	const server = await findRunningServer(config.dataDir);
	if (server) {
		throw new StartupError(
			`数据目录 ${config.dataDir} 正由运行中的民情服务器使用（进程 ${server.pid}，${server.url}），${command} 暂不能经由服务器执行。请先停止服务器再运行此命令`,
			`${command}: server pid ${server.pid} at ${server.url} holds ${config.dataDir}`
		);
	}
	const owner = dataDirOwner(config.dataDir);
	if (owner) throw ownedError(config.dataDir, owner, command);
}

/** Request bodies stay well below the server's BODY_SIZE_LIMIT (64M by default): larger files go in pieces. */
const UPLOAD_PIECE_BYTES = Number(process.env.MINQING_UPLOAD_CHUNK_BYTES) > 0 ? Number(process.env.MINQING_UPLOAD_CHUNK_BYTES) : 16 * 1_048_576;
/** The mapping travels in a request header; the server accepts 64 KB of headers. */
const MAPPING_HEADER_MAX = 48 * 1024;

/** A server's answer: its status and its JSON body (an answer that is not JSON as a bad_response error). */
function jsonAnswer(res: IncomingMessage): Promise<{ status: number; body: unknown }> {
	return new Promise((done, fail) => {
		let text = '';
		res.setEncoding('utf8');
		res.on('data', (d: string) => (text += d));
		res.on('error', fail);
		res.on('end', () => {
			let body: unknown;
			try {
				body = JSON.parse(text);
			} catch {
				body = { error: { code: 'bad_response', message: text.slice(0, 300) } };
			}
			done({ status: res.statusCode ?? 0, body });
		});
	});
}

/** POSTs a JSON body with the local secret; resolves with the answer (jsonAnswer). */
function postJson(url: URL, secret: string, value: unknown): Promise<{ status: number; body: unknown }> {
	const data = Buffer.from(JSON.stringify(value));
	return new Promise((resolvePost, reject) => {
		const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
			url,
			{ method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'content-length': String(data.length) } },
			(res) => void jsonAnswer(res).then(resolvePost, reject)
		);
		req.on('error', reject);
		req.end(data);
	});
}

/** Streams bytes [start, end) of a file as one POST; resolves with the answer's status and parsed JSON. */
function postPiece(url: URL, headers: Record<string, string>, path: string, start: number, end: number, onBytes: (n: number) => void): Promise<{ status: number; body: unknown }> {
	return new Promise((resolvePost, reject) => {
		let answered = false;
		const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
			url,
			{ method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(end - start) } },
			(res) => {
				answered = true;
				void jsonAnswer(res).then(resolvePost, reject);
			}
		);
		if (end <= start) {
			req.on('error', (e) => {
				if (!answered) reject(e);
			});
			req.end();
			return;
		}
		const file = createReadStream(path, { start, end: end - 1 });
		req.on('error', (e) => {
			file.destroy();
			if (!answered) reject(e); // an early answer (401, 413) may cut the upload short: the answer counts
		});
		file.on('data', (c) => onBytes(c.length));
		file.on('error', (e) => {
			req.destroy(e);
			reject(e);
		});
		file.pipe(req);
	});
}

/**
 * Uploads each file to the running server's `/api/v1/ingest/file` with its local secret and returns the
 * server's summaries (with `origin` as this machine's path, as in the direct mode).
 */
async function ingestThroughServer(server: Presence, paths: string[], source: string, mappingPath: string | null) {
	console.error(`[minqing] 服务器正在运行（进程 ${server.pid}，${server.url}），经由其 API 接入`);
	const headers: Record<string, string> = { authorization: `Bearer ${server.localSecret}` };
	let mappingHeader: string | null = null;
	if (mappingPath) {
		const json = JSON.parse(readFileSync(mappingPath, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
		for (const k of Object.keys(json)) if (k.startsWith('$')) delete json[k]; // comments: ignored by the reader anyway
		mappingHeader = Buffer.from(JSON.stringify(json)).toString('base64url');
		if (mappingHeader.length > MAPPING_HEADER_MAX) {
			throw new StartupError(`映射文件 ${mappingPath} 太大，无法经由服务器接入（上限约 36 KB）；请先停止服务器再接入`, `mapping header ${mappingHeader.length} bytes > ${MAPPING_HEADER_MAX}`);
		}
	}
	const out: FileIngestSummary[] = [];
	for (const path of paths) {
		const size = statSync(path).size;
		const bar = process.stderr.isTTY
			? new cliProgress.SingleBar({ format: `${basename(path)} 上传 [{bar}] {percentage}% | {value}/{total} 字节 | 剩余 {eta_formatted}`, stream: process.stderr, ...BAR_OPTIONS }, cliProgress.Presets.shades_classic)
			: null;
		bar?.start(Math.max(1, size), 0);
		if (!bar) console.error(`${basename(path)}：正在上传（${size} 字节）并由服务器接入…`);
		let sent = 0;
		const onBytes = (n: number) => {
			sent += n;
			bar?.update(sent);
		};
		const upload = size > UPLOAD_PIECE_BYTES ? randomUUID() : null;
		let answer: { status: number; body: unknown } | null = null;
		for (let start = 0; start < size || answer === null; start += UPLOAD_PIECE_BYTES) {
			const end = Math.min(size, start + UPLOAD_PIECE_BYTES);
			const final = end >= size;
			const url = new URL('/api/v1/ingest/file', server.url);
			url.searchParams.set('source', source);
			url.searchParams.set('filename', basename(path));
			if (upload) {
				url.searchParams.set('upload', upload);
				url.searchParams.set('offset', String(start));
				url.searchParams.set('final', final ? '1' : '0');
			}
			let r: { status: number; body: unknown };
			try {
				r = await postPiece(url, final && mappingHeader ? { ...headers, 'x-minqing-mapping': mappingHeader } : headers, path, start, end, onBytes);
			} catch (e) {
				bar?.stop();
				throw new StartupError(`无法把 ${path} 上传到服务器 ${server.url}：${(e as Error).message}`, `POST ${url.pathname}: ${(e as Error).message}`);
			}
			if (r.status >= 300) {
				bar?.stop();
				const err = (r.body as { error?: { code?: string; message?: string } })?.error;
				const why = r.status === 401 ? '服务器不接受本地密钥（server.json 可能不属于这台服务器）' : (err?.message ?? `HTTP ${r.status}`);
				throw new StartupError(`服务器拒绝接入 ${path}：${why}`, `POST ${url.pathname} → ${r.status} ${err?.code ?? ''}`.trim());
			}
			if (final) answer = r;
		}
		bar?.stop();
		out.push({ ...(answer!.body as FileIngestSummary), origin: resolve(path) });
	}
	return out;
}

async function quarantine(config: Config, args: string[]) {
	const [sub, ...rest] = args;
	const { values, positionals } = parseArgs({
		args: rest,
		allowPositionals: true,
		options: { source: { type: 'string' }, reason: { type: 'string' }, limit: { type: 'string' }, mapping: { type: 'string' }, all: { type: 'boolean', default: false } }
	});
	let out: unknown;
	if (sub === 'list') {
		const limit = values.limit ? int(values.limit, '--limit', 50) : 50;
		out = await localCommand(config, 'quarantine-list', { source: values.source, reason: values.reason, limit, all: values.all });
	} else if (sub === 'show') {
		const [source, originId, line] = positionals;
		// checked here: through a running server a line that is no number went as null, read there as line 0
		if (!source || !originId || !/^\d+$/.test(line ?? ''))
			throw new UsageError('用法: quarantine show <来源> <批次编号> <行号>（行号为整数）', `quarantine show ${positionals.join(' ')}`);
		out = await localCommand(config, 'quarantine-show', { source, originId, line: Number(line) });
	} else if (sub === 'replay') {
		let mapping: { mappingJson: string; mappingFileName: string } | null = null;
		if (values.mapping) {
			loadMappingOrExit(values.mapping); // a file that cannot be read or used says so here, with its path
			mapping = { mappingJson: readFileSync(values.mapping, 'utf8'), mappingFileName: basename(values.mapping) };
		}
		out = await localCommand(config, 'quarantine-replay', { source: values.source, ...mapping });
	} else {
		throw new UsageError('用法: quarantine list|show|replay', `unknown quarantine subcommand ${sub}`);
	}
	console.log(JSON.stringify(out, null, 1));
}

async function token(config: Config, args: string[]) {
	const [sub, ...rest] = args;
	if (sub === 'list') {
		parseArgs({ args: rest, options: {} });
		console.log(JSON.stringify(await localCommand(config, 'token-list', {}), null, 1));
		return;
	}
	if (sub === 'revoke') {
		const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
		if (positionals.length !== 1 || !/^\d{1,9}$/.test(positionals[0]) || Number(positionals[0]) < 1)
			throw new UsageError('用法: token revoke <编号>（一个正整数，见 token list）', `token revoke: expected one id, got ${JSON.stringify(positionals)}`);
		const out = (await localCommand(config, 'token-revoke', { id: Number(positionals[0]) })) as { id: number; changed: boolean; revokedAt: string };
		console.log(JSON.stringify(out));
		if (!out.changed) console.error(`[minqing] 令牌 #${out.id} 早已于 ${out.revokedAt} 吊销，未作改动`);
		return;
	}
	if (sub !== 'create')
		throw new UsageError('用法: token create --name 名称 --source 来源 [--scope ingest,open311] | token list | token revoke <编号>', `unknown token subcommand ${sub}`);
	const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, source: { type: 'string' }, scope: { type: 'string', default: 'ingest' } } });
	if (!values.name || !values.source)
		throw new UsageError('必须提供 --name 和 --source：token create --name 名称 --source 来源 [--scope ingest,open311]', 'missing --name/--source');
	const scopes = values.scope!.split(',').map((s) => s.trim());
	console.log(JSON.stringify(await localCommand(config, 'token-create', { name: values.name, source: values.source, scopes })));
	console.error('[minqing] 请妥善保存令牌：它只显示这一次。');
}

async function segmentCmd(args: string[]) {
	await segmentCli(args, process.stdin, process.stdout);
}

function defaultModelPath(config: Config): string {
	if (config.dataDir === ':memory:') throw new StartupError('内存模式下没有数据目录，请用 --model 指定模型文件', 'dataDir :memory:');
	return join(config.dataDir, 'models', 'classifier.json');
}

async function classifyCmd(config: Config, args: string[]) {
	const { values } = parseArgs({ args, options: { train: { type: 'boolean', default: false }, model: { type: 'string' } } });
	const path = resolve(values.model ?? defaultModelPath(config));
	const seg = createSegmenter({ referenceDir: config.referenceDir });
	if (values.train) {
		await refuseWhileServerRuns(config, 'classify --train');
		const r = await withApp(config, (a) => trainToFile(a.analytics.conn, path, { referenceDir: a.config.referenceDir, segmenter: seg }));
		console.error(`[minqing] 模型已写入 ${path}：${r.examples} 条样本，用时 ${r.seconds.toFixed(1)} 秒`);
		if (process.stdin.isTTY) return;
	}
	if (!existsSync(path)) {
		throw new StartupError(
			`找不到分类模型 ${path}：请先运行 npm run cli -- classify --train（需先停止服务器），或等待服务器自动训练`,
			`model file missing: ${path}`
		);
	}
	let model;
	try {
		model = loadModel(path);
	} catch (e) {
		throw new StartupError(`分类模型文件 ${path} 无法读取，请重新训练`, (e as Error).message);
	}
	const r = await runClassifyCli(process.stdin, process.stdout, model, seg);
	if (r.errors) console.error(`[minqing] ${r.errors} 行无法解析，已在对应行输出 error`);
}

async function clusterCmd(args: string[]) {
	const { values } = parseArgs({ args, options: { k: { type: 'string', default: 'auto' }, seed: { type: 'string' } } });
	const k = values.k === 'auto' ? 'auto' : int(values.k, '--k', 10, 2);
	const r = await runClusterCli(process.stdin, process.stdout, { k, seed: values.seed ? int(values.seed, '--seed', 1) : undefined });
	console.error(`[minqing] ${r.lines} 行，${r.k} 个话题，离群 ${r.outliers} 行`);
}

const COMMANDS = ['demo', 'user', 'ingest', 'quarantine', 'token', 'segment', 'classify', 'cluster', 'detect-series', 'pair'];

async function main(args: string[]) {
	const { argv, dataDir } = takeDataDir(args);
	if (dataDir !== undefined) process.env.MINQING_DATA_DIR = dataDir;
	const [cmd, ...rest] = argv;
	running = cmd;
	try {
		await run(cmd, rest);
	} catch (e) {
		throw usageErrorOf(e, COMMANDS.includes(cmd) ? cmd : undefined) ?? e;
	}
}

async function run(cmd: string | undefined, rest: string[]) {
	// `<command> [<subcommand>] --help` and `help <command> [<subcommand>]`: that command's (or subcommand's) lines of the help
	const asked = cmd === 'help' || cmd === '--help' ? rest : wantsHelp(rest) ? [cmd, ...rest] : [];
	const [helpOf, sub] = asked;
	const own =
		helpOf !== undefined && COMMANDS.includes(helpOf)
			? ((sub && !sub.startsWith('-') ? commandHelp(HELP, `${helpOf} ${sub}`) : null) ?? commandHelp(HELP, helpOf))
			: null;
	if (own) {
		// each usage line as it is typed (a command with subcommands has one for each), the explanations under it
		let first = true;
		const lines = own.split('\n').map((l) => {
			if (l.startsWith('        ')) return l;
			const head = `${first ? '用法:' : '     '} npm run cli -- ${l.trimStart()}`;
			first = false;
			return head;
		});
		process.stdout.write(`${lines.join('\n')}\n\n${COMMON_OPTIONS}\n`);
		return;
	}
	const config = loadConfig();
	switch (cmd) {
		case 'demo':
			return demo(config, rest);
		case 'user':
			return user(config, rest);
		case 'ingest':
			return ingest(config, rest);
		case 'quarantine':
			return quarantine(config, rest);
		case 'token':
			return token(config, rest);
		case 'segment':
			return segmentCmd(rest);
		case 'classify':
			return classifyCmd(config, rest);
		case 'cluster':
			return clusterCmd(rest);
		case 'pair':
			return pairCmd(config, rest);
		case 'detect-series': {
			// options it does not have are said as such (parseArgs); a file named with a leading dash comes after --
			const files = parseArgs({ args: rest, options: {}, allowPositionals: true }).positionals;
			if (files.length !== 1)
				throw new UsageError('请指定一个序列文件：npm run cli -- detect-series <文件.csv>', `detect-series: expected one file, got ${JSON.stringify(files)}`);
			process.exitCode = await detectSeriesCli(files[0], process.stdout);
			return;
		}
		case undefined:
		case 'help':
		case '--help':
			process.stdout.write(HELP);
			return;
		default:
			throw new UsageError(`未知命令 ${cmd}，运行 npm run cli -- help 查看用法`, `unknown command ${cmd}`);
	}
}

// exit codes: 0 done; 1 failed; 2 wrong usage (and for ingest, a file it could not read at all)
main(process.argv.slice(2)).catch((e) => {
	if (e instanceof StartupError) {
		console.error(`[minqing] ${e.userMessage}\n[minqing] detail: ${e.detail}`);
	} else if (e?.name === 'AuthError') {
		console.error(`[minqing] ${e.message}`);
	} else {
		console.error(e);
	}
	process.exit(e instanceof UsageError ? e.exitCode : 1);
});
