// The HTTP side of Open311: a resource's file name (`requests.json`) to its format, the parameters of a query
// string or a form body, and every answer (documents and errors) in the format asked for with the spec's
// content types. Routes under src/routes/open311 call `endpoint` with one domain function.
import { randomUUID } from 'node:crypto';
import { CONTENT_TYPES, formatOf, parseResource, render, type Doc, type Format } from './format';
import { Open311Error, type Open311Params } from './service';
import { withoutParameters } from '../log';
import { cutChars, unsavableChar } from '$pipelines/normalize/text';

export function respond(doc: Doc, format: Format, status = 200, headers: Record<string, string> = {}): Response {
	return new Response(render(doc, format), {
		status,
		headers: { 'content-type': CONTENT_TYPES[format], 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers }
	});
}

/** A resource this API does not have (a path, a name or a format). */
export function noSuchResource(file: string): Open311Error {
	return new Open311Error(404, [
		{
			code: 404,
			description: `资源“${cutChars(file, 60) !== file ? cutChars(file, 60) + '…' : file}”不存在：格式只能是 .xml 或 .json，资源见 /open311/discovery 和 /open311/v2/services、requests、tokens`
		}
	]);
}

export function methodNotAllowed(method: string, allow: string): Open311Error {
	return new Open311Error(405, [{ code: 405, description: `该资源不支持 ${method} 请求，只支持 ${allow}` }], { allow });
}

/**
 * Answers one Open311 request: `file` names the resource and its format (`services.json`); `run` gets the
 * resource name and returns the document (and a status other than 200). Domain errors become the spec's
 * errors document in that format (XML when the format is unknown); any other failure is the spec's
 * "general service error", a 400 with an id to quote, logged with its stack.
 */
export async function endpoint(
	file: string,
	run: (name: string, format: Format) => Promise<{ doc: Doc; status?: number }>
): Promise<Response> {
	const resource = parseResource(file);
	const format = resource?.format ?? formatOf(file);
	try {
		// a NUL reaches no store (a request or token id of that name cannot exist)
		if (!resource || file.includes('\u0000')) throw noSuchResource(file.replaceAll('\u0000', '\\0'));
		const { doc, status } = await run(resource.name, resource.format);
		return respond(doc, format, status);
	} catch (e) {
		if (e instanceof Open311Error) return respond({ kind: 'errors', errors: e.errors }, format, e.status, e.headers);
		const id = randomUUID().slice(0, 8);
		console.error(`[minqing] open311 error ${id} ${file}:`, withoutParameters(e));
		return respond(
			{ kind: 'errors', errors: [{ code: 400, description: `服务处理失败（编号 ${id}），请稍后重试；如仍失败请告知热线管理员` }] },
			format,
			400
		);
	}
}

const ATTRIBUTE = /^attribute\[([^\]]+)\](\[\])?$/;

/**
 * Parameters from name/value pairs: `attribute[code]` and `attribute[code][]` apart, the rest by name (a name
 * sent more than once keeps every value, comma-joined, as the spec's comma lists do). Values that are empty
 * or blank are left out; a NUL (or a lone surrogate) anywhere is a 400.
 */
export function paramsFrom(pairs: Iterable<[string, string]>): Open311Params {
	// without a prototype: a parameter called constructor or __proto__ is just a parameter
	const out: Open311Params = { values: Object.create(null), attributes: Object.create(null) };
	for (const [name, value] of pairs) {
		// what no store keeps (a NUL; a lone surrogate, which a form's decoding already turns into U+FFFD): refused
		// by name, as any bad parameter is
		const bad = unsavableChar(value) ?? unsavableChar(name);
		if (bad) throw new Open311Error(400, [{ code: 400, description: `参数 ${name.replaceAll('\u0000', '\\0')} 含有${bad.what}，无法处理` }]);
		if (value.trim() === '') continue;
		const a = ATTRIBUTE.exec(name);
		if (a) (out.attributes[a[1]] ??= []).push(value);
		else out.values[name] = out.values[name] === undefined ? value : `${out.values[name]},${value}`;
	}
	return out;
}

export function queryParams(url: URL): Open311Params {
	return paramsFrom(url.searchParams);
}

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

/** POST parameters: the form body (url-encoded as the spec sends it, or multipart), over those of the query string. */
export async function formParams(request: Request, url: URL): Promise<Open311Params> {
	const type = request.headers.get('content-type')?.split(';')[0].trim().toLowerCase() ?? '';
	const fromQuery = queryParams(url);
	let fromBody: Open311Params;
	if (type === FORM) {
		fromBody = paramsFrom(new URLSearchParams(await request.text()));
	} else if (type === MULTIPART) {
		let form: FormData;
		try {
			form = await request.formData();
		} catch {
			throw new Open311Error(400, [{ code: 400, description: '请求体不是有效的 multipart/form-data' }]);
		}
		const pairs: [string, string][] = [];
		for (const [name, value] of form) {
			if (typeof value !== 'string')
				throw new Open311Error(400, [
					{ code: 400, description: `参数 ${name} 是文件：本接口不接收文件上传，图片等请以 media_url 提供网址` }
				]);
			pairs.push([name, value]);
		}
		fromBody = paramsFrom(pairs);
	} else if (type === '' && !(await request.text())) {
		fromBody = paramsFrom([]);
	} else {
		throw new Open311Error(400, [
			{ code: 400, description: `请求体须为 ${FORM}（或 ${MULTIPART}），收到的是 ${type || '未注明类型的内容'}` }
		]);
	}
	return {
		values: Object.assign(Object.create(null), fromQuery.values, fromBody.values),
		attributes: Object.assign(Object.create(null), fromQuery.attributes, fromBody.attributes)
	};
}
