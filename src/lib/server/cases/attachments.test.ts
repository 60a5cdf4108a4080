import { describe, expect, it } from 'vitest';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICKET, attachmentHeaders, cleanFileName, sniffType, uploadTotalBytes } from './attachments';

const bytes = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('sniffType', () => {
	it('reads the type from the file’s signature', () => {
		expect(sniffType(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).toBe('image/jpeg');
		expect(sniffType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
		expect(sniffType(bytes('GIF89a', [1, 0]))).toBe('image/gif');
		expect(sniffType(bytes('GIF87a'))).toBe('image/gif');
		expect(sniffType(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
		expect(sniffType(bytes('%PDF-1.7\n'))).toBe('application/pdf');
	});
	it('takes nothing else, nor a signature cut short', () => {
		expect(sniffType(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '))).toBeNull(); // a sound file
		expect(sniffType(bytes('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeNull();
		expect(sniffType(bytes('<!DOCTYPE html><script>'))).toBeNull();
		expect(sniffType(bytes('PK', [3, 4]))).toBeNull(); // docx, xlsx, zip
		expect(sniffType(bytes([0x89], 'PNG'))).toBeNull();
		expect(sniffType(bytes([0xff, 0xd8]))).toBeNull();
		expect(sniffType(new Uint8Array())).toBeNull();
		// the signature must open the file
		expect(sniffType(bytes(' %PDF-1.4'))).toBeNull();
	});
});

describe('cleanFileName', () => {
	it('keeps the last part of a path, without control or direction characters', () => {
		expect(cleanFileName('C:\\fakepath\\现场照片.jpg', 'image/jpeg')).toBe('现场照片.jpg');
		expect(cleanFileName('../../etc/passwd', 'application/pdf')).toBe('passwd');
		expect(cleanFileName(' 整改\u0000报告\u202egpj.pdf ', 'application/pdf')).toBe('整改报告gpj.pdf');
	});
	it('names a nameless file by its type and shortens a long name, keeping its extension', () => {
		expect(cleanFileName('', 'image/png')).toBe('附件.png');
		expect(cleanFileName('\u0007', 'application/pdf')).toBe('附件.pdf');
		const long = cleanFileName(`${'很长的名字'.repeat(40)}.jpeg`, 'image/jpeg');
		expect([...long].length).toBe(120);
		expect(long.endsWith('.jpeg')).toBe(true);
		expect(long.startsWith('很长的名字很长')).toBe(true);
	});
});

describe('uploadTotalBytes', () => {
	const MB = 1024 * 1024;
	it('is the server’s body limit less 1 MB for the other fields, as adapter-node reads the limit', () => {
		expect(uploadTotalBytes({})).toBe(63 * MB);
		expect(uploadTotalBytes({ BODY_SIZE_LIMIT: '32M' })).toBe(31 * MB);
		expect(uploadTotalBytes({ BODY_SIZE_LIMIT: String(48 * MB) })).toBe(47 * MB);
	});
	it('is no more than a ticket’s files can be, and the default for a value adapter-node would refuse', () => {
		expect(uploadTotalBytes({ BODY_SIZE_LIMIT: 'Infinity' })).toBe(ATTACHMENTS_PER_TICKET * ATTACHMENT_MAX_BYTES);
		expect(uploadTotalBytes({ BODY_SIZE_LIMIT: '1G' })).toBe(ATTACHMENTS_PER_TICKET * ATTACHMENT_MAX_BYTES);
		expect(uploadTotalBytes({ BODY_SIZE_LIMIT: 'lots' })).toBe(63 * MB);
	});
});

describe('attachmentHeaders', () => {
	const file = (name: string, mime: string) => ({ name, mime, bytes: new Uint8Array(3), sha256: 'ab'.repeat(32) });
	it('shows an image and downloads a PDF, named as the project names every download (RFC 5987, also ( ) \' *)', () => {
		expect(attachmentHeaders(file('现场(1).jpg', 'image/jpeg'), false)['content-disposition']).toBe(
			`inline; filename="__(1).jpg"; filename*=UTF-8''${encodeURIComponent('现场')}%281%29.jpg`
		);
		expect(attachmentHeaders(file('现场(1).jpg', 'image/jpeg'), true)['content-disposition']).toMatch(/^attachment; /);
		expect(attachmentHeaders(file('说明.pdf', 'application/pdf'), false)['content-disposition']).toMatch(/^attachment; /);
	});
});
