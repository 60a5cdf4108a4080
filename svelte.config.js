import adapter from './src/adapter.js';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// pipelines/ is plain library code shared by the server and the CLI
		alias: { $pipelines: 'pipelines' },
		// Token-authenticated API routes (Open311 and the feed push) are called by other servers without an
		// Origin header, which SvelteKit's built-in check refuses; hooks.server.ts applies the origin rule to
		// every other route, and to every unsafe request there (JSON and bare POSTs too, not only forms).
		csrf: { trustedOrigins: ['*'] },
		// ECharts sets inline styles; everything else comes from this origin
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self', 'data:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['self']
			}
		}
	}
};

export default config;
