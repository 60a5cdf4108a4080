// What the browser can say of chosen files before sending them: one over the limit of a file, more than a ticket
// takes, or more than one request carries (the server's body limit). The server checks again, and the types too;
// this only spares a person the wait for an upload the server would refuse, or the bare error of a body too large.
import { formatBytes } from './charts/format';

export interface UploadLimits {
	/** one file */
	maxBytes: number;
	/** files one upload may add */
	maxFiles: number;
	/** the files of one request together */
	maxTotalBytes: number;
}

/** Why these files cannot be sent, in Chinese, or null when they can. */
export function uploadProblem(files: readonly { name: string; size: number }[], l: UploadLimits): string | null {
	const empty = files.find((f) => f.size === 0);
	if (empty) return `文件“${empty.name}”是空文件`;
	const big = files.find((f) => f.size > l.maxBytes);
	if (big) return `文件“${big.name}”有 ${formatBytes(big.size)}，每个附件不能超过 ${formatBytes(l.maxBytes)}`;
	if (files.length > l.maxFiles) return `最多还能上传 ${l.maxFiles} 个附件，本次选了 ${files.length} 个`;
	const total = files.reduce((s, f) => s + f.size, 0);
	if (total > l.maxTotalBytes) return `所选文件合计 ${formatBytes(total)}，一次最多上传 ${formatBytes(l.maxTotalBytes)}，请分几次上传`;
	return null;
}
