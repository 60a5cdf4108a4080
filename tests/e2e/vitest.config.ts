import { defineConfig } from 'vitest/config';

// Browser and process tests against the built server (`npm run build` first; tests/run-all.sh does it).
export default defineConfig({
	test: {
		include: ['tests/e2e/**/*.e2e.test.ts'],
		environment: 'node',
		testTimeout: 180_000,
		hookTimeout: 300_000,
		pool: 'forks',
		fileParallelism: false
	}
});
