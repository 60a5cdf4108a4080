import { describe, expect, it } from 'vitest';
import { uploadProblem } from './upload-check';

const MB = 1024 * 1024;
const limits = { maxBytes: 10 * MB, maxFiles: 3, maxTotalBytes: 25 * MB };

describe('uploadProblem', () => {
	it('lets files within every limit go', () => {
		expect(uploadProblem([], limits)).toBeNull();
		expect(uploadProblem([{ name: 'a.jpg', size: 10 * MB }, { name: 'b.jpg', size: 10 * MB }], limits)).toBeNull();
	});
	it('names an empty file, then one too large', () => {
		expect(uploadProblem([{ name: 'a.jpg', size: 1 }, { name: '空.png', size: 0 }], limits)).toBe('文件“空.png”是空文件');
		expect(uploadProblem([{ name: '大.jpg', size: 10 * MB + 1 }], limits)).toBe('文件“大.jpg”有 10 MB，每个附件不能超过 10 MB');
		expect(uploadProblem([{ name: '大.jpg', size: 12.5 * MB }], limits)).toBe('文件“大.jpg”有 12.5 MB，每个附件不能超过 10 MB');
	});
	it('says when there are more files than the ticket takes, or more bytes than one request carries', () => {
		const four = Array.from({ length: 4 }, (_, i) => ({ name: `${i}.jpg`, size: MB }));
		expect(uploadProblem(four, limits)).toBe('最多还能上传 3 个附件，本次选了 4 个');
		const three = Array.from({ length: 3 }, (_, i) => ({ name: `${i}.jpg`, size: 9 * MB }));
		expect(uploadProblem(three, limits)).toBe('所选文件合计 27 MB，一次最多上传 25 MB，请分几次上传');
	});
});
