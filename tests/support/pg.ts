// Throwaway databases and accounts on the test server (MINQING_TEST_PG_URL, tests/support/postgres.sh).
import pg from 'pg';

export const adminUrl = process.env.MINQING_TEST_PG_URL;

/** Runs statements as the server's superuser, in `database` (default: the admin URL's own). */
export async function asAdmin(statements: string[], database?: string): Promise<void> {
	const client = new pg.Client({ connectionString: database ? urlFor(database) : adminUrl });
	await client.connect();
	try {
		for (const s of statements) await client.query(s);
	} finally {
		await client.end();
	}
}

/** The admin URL with another database, and optionally another account. */
export function urlFor(database: string, account?: { user: string; password: string }): string {
	const u = new URL(adminUrl!);
	u.pathname = `/${database}`;
	if (account) {
		u.username = account.user;
		u.password = account.password;
	}
	return u.toString();
}

/** A new empty database named `name_<pid>_<n>`, and how to drop it (with the accounts given, made by `account`). */
export async function scratchDatabase(name: string): Promise<{ name: string; url: string; drop: (...roles: string[]) => Promise<void> }> {
	const db = `${name}_${process.pid}_${Date.now() % 1_000_000}`;
	await asAdmin([`CREATE DATABASE ${db}`]);
	return {
		name: db,
		url: urlFor(db),
		drop: (...roles) => asAdmin([`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, ...roles.map((r) => `DROP ROLE IF EXISTS ${r}`)])
	};
}
