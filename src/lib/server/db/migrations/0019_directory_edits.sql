ALTER TABLE "categories" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "edited_by" text;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "former_names" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "edited_by" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "former_names" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;