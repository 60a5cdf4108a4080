-- The sync's watermark: when the store wrote a change of a ticket, by the database's clock. updated_at stays the
-- ticket's version time (a feed brings it from the sender's clock, minutes ahead or days behind).
DROP INDEX "tickets_updated_id_idx";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
UPDATE "tickets" SET "changed_at" = date_trunc('milliseconds', "updated_at");--> statement-breakpoint
CREATE INDEX "tickets_changed_id_idx" ON "tickets" USING btree ("changed_at","id");--> statement-breakpoint
CREATE OR REPLACE FUNCTION tickets_changed_at() RETURNS trigger AS $$
BEGIN
	-- a change the application makes moves the version or the version time; the working clocks filled in at
	-- start do neither, and are not a change the analytics store needs
	IF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version OR NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
		-- in milliseconds, as the sync keeps its watermark (a JavaScript Date)
		NEW.changed_at := date_trunc('milliseconds', clock_timestamp());
	END IF;
	RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER tickets_changed_at
	BEFORE INSERT OR UPDATE ON tickets
	FOR EACH ROW EXECUTE FUNCTION tickets_changed_at();
