-- One article in use per title, kept by the store too: two administrators saving the same title at the same moment
-- both passed the application's check. A store may already hold two articles in use with one title (from such a
-- race, or saved before the check existed): of each title the one changed last stays in use (an administrator's work
-- over an older seed article; the smaller id when both were changed at once), the others are retired (停用, never
-- deleted) with the editor 系统（标题重复，已停用）, which 设置 › 知识库 shows; an administrator can rename and restore one.
UPDATE "kb_articles" k SET
	"retired_at" = now(),
	"updated_at" = now(),
	"updated_by" = '系统（标题重复，已停用）',
	"version" = k."version" + 1
WHERE k."retired_at" IS NULL
  AND EXISTS (
    SELECT 1 FROM "kb_articles" o
    WHERE o."title" = k."title" AND o."retired_at" IS NULL AND o."id" <> k."id"
      AND (o."updated_at" > k."updated_at" OR (o."updated_at" = k."updated_at" AND o."id" < k."id")));--> statement-breakpoint
CREATE UNIQUE INDEX "kb_articles_active_title_idx" ON "kb_articles" USING btree ("title") WHERE "kb_articles"."retired_at" IS NULL;
