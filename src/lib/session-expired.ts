// A form submitted after its session ended (expired, logged out elsewhere, the account deactivated): the server
// hook answers it with this refusal instead of sending the browser to the login page, which lost what was typed.

export const SESSION_EXPIRED_CODE = 'session_expired';
export const SESSION_EXPIRED_MESSAGE = '登录已过期，请重新登录后再提交';

/** Whether a form action's result is that refusal (a failure with status 401 and the code above). */
export function isSessionExpired(result: { type: string; status?: number; data?: unknown }): boolean {
	return (
		result.type === 'failure' &&
		result.status === 401 &&
		(result.data as { code?: unknown } | undefined)?.code === SESSION_EXPIRED_CODE
	);
}
