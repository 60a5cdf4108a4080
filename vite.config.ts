import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	ssr: {
		// Native and WASM modules stay outside the server bundle.
		external: ['@duckdb/node-api', 'nodejieba', '@electric-sql/pglite', '@node-rs/argon2', 'pg']
	},
	test: {
		include: ['src/**/*.test.ts', 'pipelines/**/*.test.ts', 'tests/integration/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000,
		hookTimeout: 120_000,
		pool: 'forks'
	}
});
