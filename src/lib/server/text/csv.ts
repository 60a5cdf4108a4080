// CSV for exports: RFC 4180 quoting, CRLF line ends, a UTF-8 byte-order mark (Excel and WPS need it to read
// Chinese text), and cells that a spreadsheet would run as a formula (=, +, -, @ first) prefixed with '.
// `note`: a last line after the rows, in the first column (what the file leaves out).
export function toCsv(rows: Record<string, string>[], columns?: string[], note?: string): string {
	const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
	const cell = (v: string) => {
		const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
		return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
	};
	const lines = [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? '')).join(','))];
	if (note !== undefined) lines.push(cell(note));
	return '\ufeff' + lines.join('\r\n') + '\r\n';
}
