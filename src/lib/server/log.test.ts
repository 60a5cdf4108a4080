import { describe, expect, it } from 'vitest';
import { withoutParameters } from './log';

describe('withoutParameters', () => {
	it('keeps a failed statement and its database error, not the parameters drizzle put into the message', () => {
		const cause = new Error('invalid byte sequence for encoding "UTF8": 0x00');
		const failed = Object.assign(new Error('Failed query: insert into "tickets" ("caller_name") values ($1)\nparams: 赵六六,13700001234'), {
			query: 'insert into "tickets" ("caller_name") values ($1)',
			params: ['赵六六', '13700001234'],
			cause
		});
		failed.name = 'DrizzleQueryError';
		const logged = withoutParameters(failed) as Error;
		const text = `${logged.message}\n${logged.stack}`;
		expect(text).toContain('insert into "tickets"');
		expect(text).toContain('0x00');
		expect(text).not.toContain('赵六六');
		expect(text).not.toContain('13700001234');
		expect(logged).not.toHaveProperty('params');
	});
	it('leaves other errors as they are', () => {
		const e = new Error('disk full');
		expect(withoutParameters(e)).toBe(e);
		expect(withoutParameters('text')).toBe('text');
	});
});
