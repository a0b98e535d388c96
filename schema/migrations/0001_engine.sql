ALTER TABLE "analytics_polls" ALTER COLUMN "title_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "rotator_seq" integer;--> statement-breakpoint
ALTER TABLE "tests" ADD COLUMN "leader_variant" integer;--> statement-breakpoint
ALTER TABLE "tests" ADD COLUMN "leader_p_best" double precision;--> statement-breakpoint
ALTER TABLE "tests" ADD COLUMN "final_variant" integer;--> statement-breakpoint
ALTER TABLE "tests" ADD COLUMN "final_title_set_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_polls_test_slot_idx" ON "analytics_polls" USING btree ("test_id","slot_index") WHERE "analytics_polls"."kind" = 'poll';--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_polls_test_day_idx" ON "analytics_polls" USING btree ("test_id","day") WHERE "analytics_polls"."kind" = 'daily';--> statement-breakpoint
CREATE UNIQUE INDEX "events_test_rotator_seq_idx" ON "events" USING btree ("test_id","rotator_seq");