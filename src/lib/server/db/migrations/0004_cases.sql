CREATE TABLE "ticket_counters" (
	"day" text PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "caller_phone_key" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "assist_units" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "extension_pending" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "supervised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "urge_count" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_assist_idx" ON "tickets" USING gin ("assist_units");--> statement-breakpoint
CREATE INDEX "tickets_caller_idx" ON "tickets" USING btree ("caller_phone_key","received_at");