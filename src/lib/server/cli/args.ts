// The command line's own arguments: the data directory option every command takes, each command's help, and
// wrong usage (an unknown option, a missing value, an argument too many) said in Chinese with exit code 2.
import { StartupError } from '../config';

/** Wrong usage of a command: the message names the option, and the command exits 2. */
export class UsageError extends StartupError {
	readonly exitCode = 2;
}

/**
 * Takes `--data-dir DIR` or `--data-dir=DIR` out of the arguments (those after a lone `--` are left alone).
 * Throws a UsageError when the directory is missing (the next argument absent or another option).
 */
export function takeDataDir(argv: readonly string[]): { argv: string[]; dataDir?: string } {
	const end = argv.indexOf('--');
	const own = end < 0 ? argv.length : end;
	const out = [...argv];
	for (let i = 0; i < own; i++) {
		const a = out[i];
		if (a === '--data-dir') {
			const dir = out[i + 1];
			if (i + 1 >= own || dir === undefined || dir === '' || dir.startsWith('-'))
				throw new UsageError('--data-dir 后须跟一个目录，例如 --data-dir ./data', `--data-dir without a value${dir ? ` (next: ${dir})` : ''}`);
			out.splice(i, 2);
			return { argv: out, dataDir: dir };
		}
		if (a.startsWith('--data-dir=')) {
			const dir = a.slice('--data-dir='.length);
			if (!dir) throw new UsageError('--data-dir 后须跟一个目录，例如 --data-dir ./data', '--data-dir= without a value');
			out.splice(i, 1);
			return { argv: out, dataDir: dir };
		}
	}
	return { argv: out };
}

/** Whether the command's arguments ask for its help (`--help` or `-h` before a lone `--`). */
export function wantsHelp(args: readonly string[]): boolean {
	const end = args.indexOf('--');
	return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * The lines of `help` about one command (each usage line of it and the lines indented under it: `user` has one per
 * subcommand), or about one subcommand (`user disable`); null for none.
 */
export function commandHelp(help: string, cmd: string): string | null {
	const lines = help.split('\n');
	const out: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== `  ${cmd}` && !lines[i].startsWith(`  ${cmd} `)) continue;
		out.push(lines[i]);
		while (i + 1 < lines.length && lines[i + 1].startsWith('        ')) out.push(lines[++i]);
	}
	return out.length ? out.join('\n') : null;
}

/** The option a parseArgs message quotes (`Option '--source <value>' argument missing` → `--source`). */
function quoted(message: string): string {
	const m = /'([^']+)'/.exec(message);
	return m ? m[1].replace(/ <value>$/, '') : '';
}

/**
 * Node's parseArgs errors as a UsageError for `cmd`, or null for any other error. parseArgs says them in English
 * with a stack; the user gets the option and the way to the command's help.
 */
export function usageErrorOf(e: unknown, cmd: string | undefined): UsageError | null {
	const err = e as NodeJS.ErrnoException | null;
	if (!err?.code?.startsWith('ERR_PARSE_ARGS_')) return null;
	const option = quoted(err.message);
	const help = `，运行 npm run cli -- ${cmd ? `${cmd} --help` : 'help'} 查看用法`;
	const say = (m: string) => new UsageError(m + help, err.message);
	switch (err.code) {
		case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
			return say(`未知选项 ${option}`);
		case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
			return say(/does not take an argument/.test(err.message) ? `选项 ${option} 不带取值` : `选项 ${option} 缺少取值`);
		case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
			return say(`多余的参数 ${option}`);
		default:
			return say('命令参数有误');
	}
}
