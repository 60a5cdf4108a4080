// API tokens for machine clients (feed pushes, Open311, the local CLI). The plaintext is shown once at
// creation; the table keeps its sha256.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { apiTokens } from '../db/schema';
import { isSourceName, SOURCE_NAME_RULE } from '../source-name';

export const SCOPES = ['ingest', 'open311'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenInfo {
	id: number;
	name: string;
	sourceName: string;
	scopes: string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function createApiToken(
	db: Db,
	t: { name: string; sourceName: string; scopes: Scope[]; createdBy?: number | null }
): Promise<{ token: string; id: number }> {
	// the rule every source name follows, so a token can continue what files loaded under the same name
	if (!isSourceName(t.sourceName)) throw new Error(`来源「${t.sourceName}」${SOURCE_NAME_RULE}`);
	const token = `mq_${randomBytes(24).toString('base64url')}`;
	const [row] = await db
		.insert(apiTokens)
		.values({ name: t.name, tokenHash: sha256(token), sourceName: t.sourceName, scopes: t.scopes, createdBy: t.createdBy ?? null })
		.returning({ id: apiTokens.id });
	return { token, id: row.id };
}

/** The token behind an `Authorization: Bearer …` value, if it exists, is not revoked and has the scope. */
export async function verifyApiToken(db: Db, authorization: string | null, scope: Scope): Promise<TokenInfo | null> {
	const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
	return m ? verifyApiKey(db, m[1], scope) : null;
}

/** The token whose plaintext is `key` (e.g. Open311's `api_key` parameter), if it exists, is not revoked and has the scope. */
export async function verifyApiKey(db: Db, key: string, scope: Scope): Promise<TokenInfo | null> {
	if (!key) return null;
	const [row] = await db
		.select()
		.from(apiTokens)
		.where(and(eq(apiTokens.tokenHash, sha256(key)), isNull(apiTokens.revokedAt)));
	if (!row || !row.scopes.includes(scope)) return null;
	await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
	return { id: row.id, name: row.name, sourceName: row.sourceName, scopes: row.scopes };
}

/** A token as `token list` shows one: never the token nor its hash. */
export interface TokenListing {
	id: number;
	name: string;
	source: string;
	scopes: string[];
	createdAt: string;
	/** the latest request it was accepted for, null when none was */
	lastUsedAt: string | null;
	revoked: boolean;
	revokedAt: string | null;
}

function listing(r: typeof apiTokens.$inferSelect): TokenListing {
	return {
		id: r.id,
		name: r.name,
		source: r.sourceName,
		scopes: r.scopes,
		createdAt: r.createdAt.toISOString(),
		lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
		revoked: r.revokedAt !== null,
		revokedAt: r.revokedAt?.toISOString() ?? null
	};
}

export async function listApiTokens(db: Db): Promise<TokenListing[]> {
	return (await db.select().from(apiTokens).orderBy(apiTokens.id)).map(listing);
}

/**
 * Revokes a token: every request with it is refused from now on (verifyApiKey reads the store each time). Null when
 * there is no such token; `changed` false when it was revoked already (its first revocation's time stays).
 */
export async function revokeApiToken(db: Db, id: number): Promise<{ token: TokenListing; changed: boolean } | null> {
	const [revoked] = await db
		.update(apiTokens)
		.set({ revokedAt: new Date() })
		.where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
		.returning();
	if (revoked) return { token: listing(revoked), changed: true };
	const [was] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
	return was ? { token: listing(was), changed: false } : null;
}
