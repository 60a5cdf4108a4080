ALTER TABLE "tickets" ADD COLUMN "dispatched_work" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sign_deadline_work" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reply_deadline_work" double precision;