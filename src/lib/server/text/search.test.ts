import { describe, expect, it } from 'vitest';
import { ticketNoQuery } from './search';

describe('ticketNoQuery', () => {
	it('reads a ticket number, or its start from the year on, with the days such tickets were received on', () => {
		expect(ticketNoQuery(' sz20261205-000095 ')).toEqual({ prefix: 'SZ20261205-000095', whole: true, from: '2026-12-05', to: '2026-12-05' });
		expect(ticketNoQuery('ＳＺ20261205-F000012')).toEqual({ prefix: 'SZ20261205-F000012', whole: true, from: '2026-12-05', to: '2026-12-05' });
		expect(ticketNoQuery('SZ20261205-H00012')).toEqual({ prefix: 'SZ20261205-H00012', whole: true, from: '2026-12-05', to: '2026-12-05' });
		expect(ticketNoQuery('SZ20261205-H000123')?.prefix).toBe('SZ20261205-H000123');
		expect(ticketNoQuery('SZ20261205')).toEqual({ prefix: 'SZ20261205', whole: false, from: '2026-12-05', to: '2026-12-05' });
		expect(ticketNoQuery('SZ202612')).toEqual({ prefix: 'SZ202612', whole: false, from: '2026-12-01', to: '2026-12-31' });
		expect(ticketNoQuery('SZ202802')).toEqual({ prefix: 'SZ202802', whole: false, from: '2028-02-01', to: '2028-02-29' });
		expect(ticketNoQuery('SZ2026')).toEqual({ prefix: 'SZ2026', whole: false, from: '2026-01-01', to: '2026-12-31' });
	});

	it('leaves words, other numbers and dates that are none to the word search', () => {
		for (const q of ['噪音', 'SZ', 'SZ20', 'SZ2026120', 'SZ202613', 'SZ20261232', 'SZ20261205-X0001', '20261205', 'SZ20261205 噪音']) expect(ticketNoQuery(q)).toBeNull();
	});
});
