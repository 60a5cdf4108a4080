// Analytics never hold a caller's name or phone. A keyed hash of the phone number stands for the caller, so
// repeat callers can be counted without knowing who they are.
import { createHash } from 'node:crypto';

const KEY = process.env.MINQING_CALLER_KEY_SALT ?? 'minqing';

/** 16 hex characters standing for a caller's (normalised) phone number. */
export function callerKey(phone: string): string {
	return createHash('sha256').update(`${KEY}:${phone}`).digest('hex').slice(0, 16);
}
