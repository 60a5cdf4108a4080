import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { json } from '@sveltejs/kit';
import { MappingError, parseMapping, type Mapping } from '$pipelines/ingest/mapping';
import { app } from '$lib/server/app';
import { verifyApiToken } from '$lib/server/auth/tokens';
import { clearStaleUploads, safeFilename, uploadsDir } from '$lib/server/inbox';
import { isSourceName, SOURCE_NAME_RULE } from '$lib/server/source-name';
import { INGEST_ERROR_STATUS, IngestError, ingestRefusal, ingestService, summaryCounts } from '$lib/server/ingest';
import { isLocalSecret } from '$lib/server/presence';
import { noteStorageFailure, storageFailure, storageMessage } from '$lib/server/storage-failure';
import type { RequestHandler } from './$types';

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


/**
 * POST a file's bytes to have the server ingest it, as `npm run cli -- ingest` does with the stores at hand:
 * `?source=NAME&filename=x.csv`, an optional mapping in `x-minqing-mapping` (base64url of its JSON). Authorized
 * by this server's local secret (from `<dataDir>/server.json`; the source comes from the query) or by an API
 * token with the ingest scope (the source comes from the token). The body is streamed to
 * `<dataDir>/inbox/.uploads/`, ingested through the server's ingest queue and removed; the answer is the
 * ingest summary. Files larger than one request body may come in pieces: `&upload=<uuid>&offset=N&final=0`
 * appends (answered 202 with the bytes received), and the piece with `final=1` (the default) ingests.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	const a = await app();
	const auth = request.headers.get('authorization');
	let source: string;
	if (isLocalSecret(auth)) {
		source = url.searchParams.get('source') ?? 'file';
		if (!isSourceName(source)) return ingestRefusal('上传', 400, 'bad_source', `来源「${source}」${SOURCE_NAME_RULE}`);
	} else {
		const token = await verifyApiToken(a.rel.db, auth, 'ingest');
		if (!token) return ingestRefusal('上传', 401, 'unauthenticated', '本地密钥或 API 令牌无效、已吊销或没有数据接入权限');
		source = token.sourceName;
	}
	if (a.config.dataDir === ':memory:') return ingestRefusal('上传', 503, 'unavailable', '内存模式下不接受文件接入');

	const filename = safeFilename(url.searchParams.get('filename') ?? '');
	const uploadId = url.searchParams.get('upload');
	if (uploadId !== null && !UPLOAD_ID.test(uploadId)) return ingestRefusal('上传', 400, 'bad_upload', 'upload 须为 UUID（小写）');
	const offsetRaw = url.searchParams.get('offset') ?? '0';
	const offset = Number(offsetRaw);
	if (!/^\d+$/.test(offsetRaw) || !Number.isSafeInteger(offset)) return ingestRefusal('上传', 400, 'bad_offset', 'offset 须为非负整数');
	if (offset > 0 && uploadId === null) return ingestRefusal('上传', 400, 'bad_offset', '分段上传须同时给出 upload');
	const final = (url.searchParams.get('final') ?? '1') !== '0';

	let mapping: Mapping | null = null;
	const mappingHeader = request.headers.get('x-minqing-mapping');
	if (mappingHeader && final) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(Buffer.from(mappingHeader, 'base64url').toString('utf8'));
		} catch {
			return ingestRefusal('上传', 400, 'bad_mapping', '请求头 x-minqing-mapping 不是映射 JSON 的 base64url 编码');
		}
		try {
			mapping = parseMapping(parsed, 'x-minqing-mapping');
		} catch (e) {
			if (e instanceof MappingError) return ingestRefusal('上传', 400, 'bad_mapping', e.message);
			throw e;
		}
	}

	// without a content type the adapter hands over no body at all: refuse rather than ingest an empty file
	if (!request.body && Number(request.headers.get('content-length') ?? 0) > 0) {
		return ingestRefusal('上传', 400, 'bad_request', '请求须带 Content-Type 头（例如 application/octet-stream）');
	}

	const dir = uploadsDir(a.config.dataDir);
	await mkdir(dir, { recursive: true });
	// the name on disk is ours: a fresh (or the client's UUID) prefix and a sanitized base name, in the uploads folder
	const path = join(dir, `${uploadId ?? randomUUID()}-${filename}`);
	if (offset === 0) void clearStaleUploads(dir);
	else {
		const have = await stat(path).then((s) => s.size, () => -1);
		if (have !== offset) return ingestRefusal('上传', 409, 'upload_offset', have < 0 ? '找不到这次分段上传的前面部分，请重新上传' : `分段上传的偏移不符：服务器已收到 ${have} 字节`);
	}

	try {
		const out = createWriteStream(path, { flags: offset === 0 ? 'w' : 'a', mode: 0o600 });
		if (request.body) await pipeline(request.body as unknown as AsyncIterable<Uint8Array>, out);
		else await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
	} catch (e) {
		await rm(path, { force: true });
		if ((e as { status?: number }).status === 413) return ingestRefusal('上传', 413, 'payload_too_large', '单次请求的内容超过服务器上限（BODY_SIZE_LIMIT），请分段上传');
		const storage = storageFailure(e);
		if (storage) {
			noteStorageFailure(storage);
			return ingestRefusal('上传', 507, storage.code, storageMessage(storage, '文件接收'));
		}
		throw e;
	}
	if (!final) return json({ upload: uploadId, received: (await stat(path)).size }, { status: 202 });

	try {
		// the upload's own name, not the temporary file's (deleted below), in the run, its quarantine rows and the reader's messages
		const summary = await ingestService(a).ingestPath(path, { source, mapping, origin: `upload:${filename}`, shownAs: filename });
		// each upload in the log, as each push and each drop-folder file is
		console.log(`[minqing] 上传 ${filename}（来源 ${source}，${summary.bytes} 字节）${summaryCounts(summary)}` + (summary.fileError ? `；文件无法读取：${summary.fileError}` : ''));
		return json(summary);
	} catch (e) {
		if (e instanceof IngestError) return ingestRefusal('上传', INGEST_ERROR_STATUS[e.code], e.code, e.message);
		throw e;
	} finally {
		await rm(path, { force: true });
	}
};
