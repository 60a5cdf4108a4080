// Minqing's command line: `npm run cli -- <command> [options]`. Runs the same library code as the server,
// on the same stores, when no server holds them.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createUser, isRole } from '../auth';
import { generateDemo, startApp, stopApp, type App } from '../app';
import { StartupError, loadConfig, type Config } from '../config';
import { queryRows } from '../analytics/duckdb';

const HELP = `民情 Minqing 命令行

用法: npm run cli -- <命令> [选项]

命令:
  demo [--tickets N] [--days D] [--seed S] [--reset] [--analytics-only]
        生成演示数据（默认 200000 条、365 天、种子 12345），确定性：同一种子结果相同。
        --reset 先删除分析库；--analytics-only 只写分析库（基准测试用）。
  user add --username U --name 名称 --role 角色 [--unit 单位代码]
        新建用户，密码从环境变量 MINQING_PASSWORD 读取。
        角色: admin leader analyst emergency operator dispatcher supervisor unit_handler
  help  显示本帮助

通用选项: --data-dir DIR（同 MINQING_DATA_DIR）
`;

function int(v: string | undefined, name: string, fallback: number, min = 1): number {
	if (v === undefined) return fallback;
	const n = Number(v.replaceAll('_', ''));
	if (!Number.isInteger(n) || n < min) throw new StartupError(`${name} 必须是不小于 ${min} 的整数`, `${name}=${v}`);
	return n;
}

async function withApp<T>(config: Config, fn: (a: App) => Promise<T>, quiet = false): Promise<T> {
	const a = await startApp({ ...config, demo: false }, quiet ? () => {} : (m) => console.error(m));
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
	const duck = join(config.dataDir, 'minqing.duckdb');
	if (values.reset) for (const f of [duck, `${duck}.wal`]) if (existsSync(f)) rmSync(f);
	const result = await withApp(config, async (a) => {
		const [{ n }] = await queryRows<{ n: number }>(a.analytics.conn, 'SELECT count(*)::DOUBLE AS n FROM tickets_fact');
		if (n > 0) throw new StartupError(`分析库中已有 ${n} 条工单；如需重新生成请加 --reset`, `tickets_fact has ${n} rows`);
		const bar = process.stderr.isTTY
			? new cliProgress.SingleBar(
					{ format: '演示数据 [{bar}] {percentage}% | {value}/{total} 条 | {speed} 条/秒 | 剩余 {eta_formatted}', stream: process.stderr },
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
			peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
		})
	);
}

async function user(config: Config, args: string[]) {
	const [sub, ...rest] = args;
	if (sub !== 'add') throw new StartupError('用法: user add --username U --name 名称 --role 角色 [--unit 单位代码]', `unknown user subcommand ${sub}`);
	const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' } } });
	const password = process.env.MINQING_PASSWORD ?? '';
	if (!values.username || !values.role) throw new StartupError('必须提供 --username 和 --role', 'missing --username/--role');
	if (!isRole(values.role)) throw new StartupError(`未知角色 ${values.role}`, `role=${values.role}`);
	if (!password) throw new StartupError('请通过环境变量 MINQING_PASSWORD 提供密码', 'MINQING_PASSWORD not set');
	const id = await withApp(config, (a) =>
		createUser(a.rel.db, { username: values.username!, displayName: values.name ?? values.username!, role: values.role as never, password, unitCode: values.unit ?? null })
	, true);
	console.log(JSON.stringify({ id, username: values.username, role: values.role }));
}

async function main(argv: string[]) {
	const di = argv.indexOf('--data-dir');
	if (di >= 0) {
		process.env.MINQING_DATA_DIR = argv[di + 1];
		argv.splice(di, 2);
	}
	const [cmd, ...rest] = argv;
	const config = loadConfig();
	switch (cmd) {
		case 'demo':
			return demo(config, rest);
		case 'user':
			return user(config, rest);
		case undefined:
		case 'help':
		case '--help':
			process.stdout.write(HELP);
			return;
		default:
			throw new StartupError(`未知命令 ${cmd}，运行 npm run cli -- help 查看用法`, `unknown command ${cmd}`);
	}
}

main(process.argv.slice(2)).catch((e) => {
	if (e instanceof StartupError) {
		console.error(`[minqing] ${e.userMessage}\n[minqing] detail: ${e.detail}`);
	} else if (e?.name === 'AuthError' || e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		console.error(`[minqing] ${e.message}`);
	} else {
		console.error(e);
	}
	process.exit(1);
});
