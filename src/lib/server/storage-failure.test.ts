import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { storageFailure } from './storage-failure';

const osError = (code: string, message: string, path?: string) => Object.assign(new Error(message), { code, ...(path ? { path, syscall: 'open' } : {}) });

describe('storageFailure', () => {
	it('reads the store’s fault under a query error: permission denied, a full disk', () => {
		const denied = new DrizzleQueryError('insert into tickets …', ['x'], new Error('could not open file "base/5/16808": Permission denied'));
		expect(storageFailure(denied)?.code).toBe('storage_unavailable');
		expect(storageFailure(new DrizzleQueryError('insert …', [], Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' })))?.code).toBe(
			'storage_full'
		);
		expect(storageFailure(osError('ENOSPC', 'ENOSPC: no space left on device, write'))?.code).toBe('storage_full');
	});

	it('does not read people’s text quoted by a query error as a storage fault, nor put it in the detail', () => {
		const e = new DrizzleQueryError('insert into tickets …', ['手机显示 Permission denied，无法登录', '磁盘 could not write'], new Error('duplicate key value violates unique constraint "t_pkey"'));
		expect(storageFailure(e)).toBeNull();
		const timeout = new DrizzleQueryError('update …', ['could not write 13800001111'], new Error('canceling statement due to statement timeout'));
		expect(storageFailure(timeout)).toBeNull();
		const real = new DrizzleQueryError('insert …', ['13800001111 张三'], new Error('could not open file "base/5/1": Permission denied'));
		expect(storageFailure(real)?.detail).not.toContain('13800001111');
	});

	it('takes a file being ingested that the server may not read as the file’s fault, not the storage’s', () => {
		const input = '/data/inbox/partner/a.ndjson';
		expect(storageFailure(osError('EACCES', `EACCES: permission denied, open '${input}'`, input), input)).toBeNull();
		// a write of the store's own while that file is read still counts
		expect(storageFailure(osError('EACCES', "EACCES: permission denied, open '/data/minqing.duckdb.wal'", '/data/minqing.duckdb.wal'), input)?.code).toBe('storage_unavailable');
	});
});
