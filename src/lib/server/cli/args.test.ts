import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandHelp, takeDataDir, usageErrorOf, UsageError, wantsHelp } from './args';

/** The error parseArgs throws for these arguments. */
function parseError(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = { source: { type: 'string' }, train: { type: 'boolean' } }) {
	try {
		parseArgs({ args, options, strict: true, allowPositionals: false });
	} catch (e) {
		return e;
	}
	throw new Error('parseArgs accepted the arguments');
}

describe('takeDataDir', () => {
	it('takes --data-dir DIR and --data-dir=DIR out of the arguments', () => {
		expect(takeDataDir(['ingest', 'a.csv', '--data-dir', '/tmp/d', '--source', 's'])).toEqual({ argv: ['ingest', 'a.csv', '--source', 's'], dataDir: '/tmp/d' });
		expect(takeDataDir(['--data-dir=/tmp/d', 'segment'])).toEqual({ argv: ['segment'], dataDir: '/tmp/d' });
		expect(takeDataDir(['segment'])).toEqual({ argv: ['segment'] });
		// after a lone --, it is an argument of the command
		expect(takeDataDir(['ingest', '--', '--data-dir'])).toEqual({ argv: ['ingest', '--', '--data-dir'] });
	});

	it('refuses it without a directory (it was taken as the directory "undefined")', () => {
		for (const args of [['classify', '--data-dir'], ['--data-dir', '--source', 'x'], ['--data-dir='], ['x', '--data-dir', '--']]) {
			expect(() => takeDataDir(args)).toThrow(UsageError);
			expect(() => takeDataDir(args)).toThrow(/--data-dir 后须跟一个目录/);
		}
	});
});

describe('wantsHelp and commandHelp', () => {
	const HELP = `命令:\n  ingest <文件…> [--source 名称]\n        接入文件。\n        第二行。\n  segment [--no-dict]\n        分词。\n  help  显示本帮助\n`;
	it('finds a command and the lines under it', () => {
		expect(commandHelp(HELP, 'ingest')).toBe('  ingest <文件…> [--source 名称]\n        接入文件。\n        第二行。');
		expect(commandHelp(HELP, 'segment')).toBe('  segment [--no-dict]\n        分词。');
		expect(commandHelp(HELP, 'seg')).toBeNull();
	});
	it('gives a command with subcommands each usage line, and a subcommand its own', () => {
		const help = `命令:\n  user add --username U\n        新建。\n  user list\n        列出。\n  ingest <文件…>\n        接入。\n  user disable <用户名>\n        停用。\n`;
		expect(commandHelp(help, 'user')).toBe('  user add --username U\n        新建。\n  user list\n        列出。\n  user disable <用户名>\n        停用。');
		expect(commandHelp(help, 'user disable')).toBe('  user disable <用户名>\n        停用。');
		expect(commandHelp(help, 'user remove')).toBeNull();
	});
	it('--help or -h before a lone --', () => {
		expect(wantsHelp(['a.csv', '--help'])).toBe(true);
		expect(wantsHelp(['-h'])).toBe(true);
		expect(wantsHelp(['--', '--help'])).toBe(false);
		expect(wantsHelp(['a.csv'])).toBe(false);
	});
});

describe('usageErrorOf', () => {
	it('says parseArgs errors in Chinese, naming the option and the way to the help, with exit code 2', () => {
		const missing = usageErrorOf(parseError(['--source']), 'ingest')!;
		expect(missing).toBeInstanceOf(UsageError);
		expect(missing.exitCode).toBe(2);
		expect(missing.userMessage).toBe('选项 --source 缺少取值，运行 npm run cli -- ingest --help 查看用法');
		expect(missing.detail).toMatch(/argument missing/);
		expect(usageErrorOf(parseError(['--bogus']), 'quarantine')!.userMessage).toBe('未知选项 --bogus，运行 npm run cli -- quarantine --help 查看用法');
		expect(usageErrorOf(parseError(['--train=yes']), 'classify')!.userMessage).toMatch(/^选项 --train 不带取值/);
		expect(usageErrorOf(parseError(['foo']), 'cluster')!.userMessage).toMatch(/^多余的参数 foo/);
		expect(usageErrorOf(parseError(['--bogus']), undefined)!.userMessage).toMatch(/运行 npm run cli -- help 查看用法$/);
	});
	it('leaves other errors alone', () => {
		expect(usageErrorOf(new Error('disk full'), 'ingest')).toBeNull();
		expect(usageErrorOf(null, 'ingest')).toBeNull();
	});
});
