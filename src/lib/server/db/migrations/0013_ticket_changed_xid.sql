-- The sync's watermark becomes the transaction that wrote a ticket's change (changed_xid), not the time it wrote it
-- (changed_at): of two transactions the one that wrote first may commit last, and a sync that ran between the two
-- commits passed the first one's time and never read its change. The sync reads only transactions that have ended
-- (below the oldest one still running, pg_snapshot_xmin), and a transaction id stays unique and ordered (64 bits).
DROP INDEX "tickets_changed_id_idx";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "changed_xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_changed_xid_idx" ON "tickets" USING btree ("changed_xid","id");--> statement-breakpoint
CREATE OR REPLACE FUNCTION tickets_changed_at() RETURNS trigger AS $$
BEGIN
	-- a change the application makes moves the version or the version time; the working clocks filled in at
	-- start do neither, and are not a change the analytics store needs
	IF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version OR NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
		NEW.changed_xid := pg_current_xact_id();
	END IF;
	RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "changed_at";
