DROP INDEX "alerts_group_idx";--> statement-breakpoint
DROP INDEX "alerts_started_idx";--> statement-breakpoint
CREATE INDEX "alerts_last_firing_idx" ON "alerts" USING btree ("last_firing_at");--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "group_key";