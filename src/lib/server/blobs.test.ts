import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskBlobs, memoryBlobs } from './blobs';

const dir = mkdtempSync(join(tmpdir(), 'minqing-blobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'ab'.repeat(32);

describe.each([
	['disk', () => diskBlobs(join(dir, 'attachments'))],
	['memory', () => memoryBlobs()]
])('%s blobs', (_kind, make) => {
	it('gives back the bytes kept under a key, and null for a key never kept', async () => {
		const store = make();
		const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 256);
		await store.put(KEY, bytes);
		await store.put(`${KEY}.thumb.webp`, Uint8Array.of(1, 2, 3));
		expect(Buffer.from((await store.get(KEY))!).equals(Buffer.from(bytes))).toBe(true);
		expect([...(await store.get(`${KEY}.thumb.webp`))!]).toEqual([1, 2, 3]);
		expect(await store.get('cd'.repeat(32))).toBeNull();
	});
	it('takes only a SHA-256 with a suffix as a key: never a path', async () => {
		const store = make();
		for (const key of ['../../etc/passwd', `${KEY}/../x`, 'AB'.repeat(32), 'ab', `${KEY}.x/y`])
			await expect(store.put(key, Uint8Array.of(1)), key).rejects.toThrow(/not a sha256/);
		await expect(store.get('../x')).rejects.toThrow(/not a sha256/);
	});
});

describe('disk blobs', () => {
	it('files each under its first two hex digits, with no temporary file left, once for the same content', async () => {
		const root = join(dir, 'layout');
		const store = diskBlobs(root);
		const key = 'ef'.repeat(32);
		await store.put(key, Uint8Array.of(9, 9, 9));
		await store.put(key, Uint8Array.of(9, 9, 9));
		expect(readdirSync(root)).toEqual(['ef']);
		expect(readdirSync(join(root, 'ef'))).toEqual([key]);
	});
});
