import type { SessionUser } from '$lib/types';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			/** set by handleError when the request failed on the storage (storage-failure.ts): answered 507 */
			storageFailure?: string;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
