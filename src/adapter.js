// The build's adapter: adapter-node, with one change to the request handling it bundles (SvelteKit's getRequest).
//
// getRequest builds each incoming request's Web `Request` with `signal: controller.signal`, so that the request's
// signal aborts when the client goes away. Node 20's Request (undici) then registers an internal AbortController
// of every request with a FinalizationRegistry. V8 keeps a registered object alive through every minor garbage
// collection, so each request's controller, signal and listener were copied twice and then moved to the old
// generation, and after each full collection the registry's callbacks ran for the thousands of requests collected
// at once: at 1,000 registrations a second, a full collection every 5–7 s, and the main thread stalled 80–130 ms
// (`npm run bench -- intake`, profiled). A Request made with a signal also takes about three times as long to make.
//
// Here the Request is made without the signal, and the same signal is set on it as its own `signal` property:
// `request.signal` still aborts when the client disconnects (the alert stream listens to it), and nothing is
// registered. Only a `Request` copied from it (`new Request(request)`, `request.clone()`) no longer follows the
// client; SvelteKit's server-side fetch reads `request.signal` itself. Plain JavaScript: svelte.config.js loads it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodeAdapter from '@sveltejs/adapter-node';

/** getRequest's construction of the Request, as SvelteKit writes it (and adapter-node bundles it unchanged). */
const CONSTRUCTION = /\n(\t+)return new Request\(base \+ request\.url, \{\n([^]*?)\t+signal: controller\.signal,\n([^]*?)\n\1\}\);\n/;

/**
 * The code with getRequest's Request made without the signal and given it as its own property. Throws when the
 * construction is not there exactly once (another SvelteKit version): the build stops rather than ship without it.
 * @param {string} code
 * @param {string} [file] named in the error
 * @returns {string}
 */
export function leanRequest(code, file = 'the adapter output') {
	const found = [...code.matchAll(new RegExp(CONSTRUCTION.source, 'g'))].length;
	if (found !== 1)
		throw new Error(
			`src/adapter.js: expected SvelteKit's getRequest (\`return new Request(base + request.url, { … signal: controller.signal, … })\`) once in ${file}, found it ${found} times; check the change against this SvelteKit version`
		);
	return code.replace(
		CONSTRUCTION,
		(_, indent, before, after) =>
			`\n${indent}const request_ = new Request(base + request.url, {\n${before}${after}\n${indent}});\n` +
			`${indent}// the client's signal as an own property, not passed in: see src/adapter.js\n` +
			`${indent}Object.defineProperty(request_, 'signal', { value: controller.signal, enumerable: true });\n` +
			`${indent}return request_;\n`
	);
}

/** The JavaScript files under a directory, recursively. @param {string} dir @returns {string[]} */
function scripts(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? scripts(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []
	);
}

/** @param {Parameters<typeof nodeAdapter>[0]} [options] @returns {import('@sveltejs/kit').Adapter} */
export default function adapter(options = {}) {
	const base = nodeAdapter(options);
	return {
		...base,
		name: 'minqing-adapter-node',
		async adapt(builder) {
			await base.adapt(builder);
			// the server's files (the browser's, under client/, are not searched)
			const out = options.out ?? 'build';
			const files = [join(out, 'handler.js'), ...scripts(join(out, 'server'))].filter((f) => CONSTRUCTION.test(readFileSync(f, 'utf8')));
			if (files.length !== 1)
				throw new Error(`src/adapter.js: expected SvelteKit's getRequest in one file of ${out}/handler.js and ${out}/server/, found it in ${files.length}`);
			writeFileSync(files[0], leanRequest(readFileSync(files[0], 'utf8'), files[0]));
			// (that file's source map is two lines off below the construction)
			builder.log.minor(`getRequest: each Request made without registering the client's signal (${files[0]})`);
		}
	};
}
