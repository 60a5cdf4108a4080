// Configuration from the environment: the push limit and adapter-node's body limit, which must agree.
import { describe, expect, it } from 'vitest';
import { StartupError, loadConfig } from './config';
import { defaultBodySizeLimit, parseBodySizeLimit } from './push-limit.js';

/** The StartupError loadConfig throws for `env`. */
function refusal(env: NodeJS.ProcessEnv): StartupError {
	try {
		loadConfig(env);
	} catch (e) {
		if (e instanceof StartupError) return e;
		throw e;
	}
	throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('MINQING_PUSH_LIMIT_MB', () => {
	it('is 32 MB unless set, and takes a number of MB above 0', () => {
		expect(loadConfig({}).pushLimitMb).toBe(32);
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: '' }).pushLimitMb).toBe(32);
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: '1' }).pushLimitMb).toBe(1);
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: '0.5' }).pushLimitMb).toBe(0.5);
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: ' 100 ' }).pushLimitMb).toBe(100);
	});

	it('stops the start with a message naming the variable and its value when malformed or out of range', () => {
		for (const raw of ['abc', '32MB', '0', '-5', '1e3', 'Infinity', '257']) {
			const e = refusal({ MINQING_PUSH_LIMIT_MB: raw });
			expect(e.userMessage).toBe(`配置项 MINQING_PUSH_LIMIT_MB 必须是大于 0、不超过 256 的数（单位 MB），当前为“${raw}”`);
			expect(e.detail).toContain(`MINQING_PUSH_LIMIT_MB=${raw}`);
		}
	});
});

describe('BODY_SIZE_LIMIT', () => {
	it('follows the push limit when not set: 64M, or the push limit when that is larger', () => {
		expect(defaultBodySizeLimit(undefined)).toBe('64M');
		expect(defaultBodySizeLimit('32')).toBe('64M');
		expect(defaultBodySizeLimit('100')).toBe('100M');
		expect(defaultBodySizeLimit('100.2')).toBe('101M');
		expect(defaultBodySizeLimit('nonsense')).toBe('64M'); // loadConfig refuses it
		for (const raw of ['1', '32', '64', '100', '256']) {
			const env = { MINQING_PUSH_LIMIT_MB: raw, BODY_SIZE_LIMIT: defaultBodySizeLimit(raw) };
			expect(loadConfig(env).pushLimitMb).toBe(Number(raw));
		}
	});

	it('is read as adapter-node reads it', () => {
		expect(parseBodySizeLimit('64M')).toBe(64 * 1_048_576);
		expect(parseBodySizeLimit('512k')).toBe(512 * 1024);
		expect(parseBodySizeLimit('1G')).toBe(1024 ** 3);
		expect(parseBodySizeLimit('1000')).toBe(1000);
		expect(parseBodySizeLimit('Infinity')).toBe(Infinity);
		expect(parseBodySizeLimit('64MB')).toBeNaN();
	});

	it('set below the push limit stops the start, naming both', () => {
		const e = refusal({ MINQING_PUSH_LIMIT_MB: '100', BODY_SIZE_LIMIT: '64M' });
		expect(e.userMessage).toContain('MINQING_PUSH_LIMIT_MB=100');
		expect(e.userMessage).toContain('BODY_SIZE_LIMIT=64M');
		expect(e.detail).toBe('MINQING_PUSH_LIMIT_MB=100 (104857600 bytes) is above BODY_SIZE_LIMIT=64M (67108864 bytes)');
		expect(refusal({ BODY_SIZE_LIMIT: '512K' }).userMessage).toContain('MINQING_PUSH_LIMIT_MB=32');
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: '100', BODY_SIZE_LIMIT: '100M' }).pushLimitMb).toBe(100);
		expect(loadConfig({ MINQING_PUSH_LIMIT_MB: '100', BODY_SIZE_LIMIT: 'Infinity' }).pushLimitMb).toBe(100);
	});

	it('malformed stops the start with a message, as adapter-node would refuse it', () => {
		const e = refusal({ BODY_SIZE_LIMIT: '64MB' });
		expect(e.userMessage).toBe('配置项 BODY_SIZE_LIMIT 应为字节数或带单位 K、M、G 的大小，例如 64M，当前为“64MB”');
	});
});
