// CSV for exports: RFC 4180 quoting, CRLF line ends, a UTF-8 byte-order mark (Excel and WPS need it to read
// Chinese text), and cells that a spreadsheet would run as a formula (=, +, -, @ first) prefixed with '.
export function toCsv(rows: Record<string, string>[], columns?: string[]): string {
	const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
	const cell = (v: string) => {
		const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
		return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
	};
	return '\ufeff' + [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}
