import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// pipelines/ is plain library code shared by the server and the CLI
		alias: { $pipelines: 'pipelines' },
		// Token-authenticated API routes (Open311 and the feed push) are called by other servers without an
		// Origin header; cookie-authenticated forms keep SvelteKit's origin check (see hooks.server.ts).
		csrf: { trustedOrigins: [] }
	}
};

export default config;
