// The outcome of a settings page's last form action, read the same way on every page with several forms: the
// action answers { form, saved } or refusedForm's { form, message, field, values } (lib/server/cases/http.ts), and
// the page shows a success beside that form, a refusal under its field (or above the form when no field of it is
// at fault), and keeps what was typed.

export interface FormOutcome {
	/** which form answered ('add', 'list' …); null before any */
	key: string | null;
	ok: string | null;
	error: string | null;
	field: string | null;
	/** the success message of this form, if it answered with one */
	saved(key: string): string | null;
	/** the refusal of this form, if it answered with one */
	refused(key: string): string | null;
	/** the refusal of this form naming this field */
	fieldError(key: string, name: string): string | null;
	/** the refusal of this form naming none of `fields` (shown above the form) */
	formError(key: string, fields: readonly string[]): string | null;
	/** what was typed in this form's field, kept on a refusal ('' otherwise) */
	value(key: string, name: string): string;
}

export function formOutcome(form: unknown): FormOutcome {
	const f = (form && typeof form === 'object' ? form : {}) as Record<string, unknown>;
	const str = (v: unknown) => (typeof v === 'string' ? v : null);
	const key = str(f.form);
	const ok = str(f.saved);
	const error = str(f.message);
	const field = str(f.field);
	const values = (f.values && typeof f.values === 'object' ? f.values : {}) as Record<string, unknown>;
	const refused = (k: string) => (key === k && error ? error : null);
	return {
		key,
		ok,
		error,
		field,
		saved: (k) => (key === k ? ok : null),
		refused,
		fieldError: (k, name) => (refused(k) && field === name ? error : null),
		formError: (k, fields) => (refused(k) && !fields.includes(field ?? '') ? error : null),
		value: (k, name) => (refused(k) ? (str(values[name]) ?? '') : '')
	};
}
