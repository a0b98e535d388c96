CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"notified_at" timestamp with time zone,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"message_id" text NOT NULL,
	"job_type" text NOT NULL,
	"body" jsonb NOT NULL,
	"attempts" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_stats" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tests_run" integer DEFAULT 0 NOT NULL,
	"tests_active" integer DEFAULT 0 NOT NULL,
	"tests_won" integer DEFAULT 0 NOT NULL,
	"tests_same" integer DEFAULT 0 NOT NULL,
	"tests_inconclusive" integer DEFAULT 0 NOT NULL,
	"average_winning_lift" double precision,
	"views_during_tests" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_polls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"title_id" uuid NOT NULL,
	"test_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"polled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"slot_index" integer,
	"view_count" bigint,
	"like_count" bigint,
	"comment_count" bigint,
	"day" date,
	"impressions" bigint,
	"ctr" double precision,
	"watch_minutes" double precision
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"test_id" uuid,
	"type" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"test_id" uuid NOT NULL,
	"slot_index" integer NOT NULL,
	"variant" integer NOT NULL,
	"block" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"views_start" bigint NOT NULL,
	"views_end" bigint
);
--> statement-breakpoint
CREATE TABLE "tests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"video_id" text NOT NULL,
	"video_title_original" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"metric" text DEFAULT 'views' NOT NULL,
	"interval_minutes" integer NOT NULL,
	"boundary_offset_seconds" integer DEFAULT 0 NOT NULL,
	"auto_apply" boolean DEFAULT true NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"current_variant" integer,
	"next_rotation_at" timestamp with time zone,
	"decision" text,
	"winner_variant" integer,
	"winner_lift" double precision,
	"p_value" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "titles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"test_id" uuid NOT NULL,
	"variant" integer NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"google_sub" text NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"avatar_url" text,
	"channel_id" text,
	"channel_title" text,
	"channel_avatar_url" text,
	"plan" text DEFAULT 'free' NOT NULL,
	"role" text DEFAULT 'user' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"oauth_project_id" text,
	"refresh_token_enc" text,
	"session_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "user_stats" ADD CONSTRAINT "user_stats_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_polls" ADD CONSTRAINT "analytics_polls_title_id_titles_id_fk" FOREIGN KEY ("title_id") REFERENCES "public"."titles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_polls" ADD CONSTRAINT "analytics_polls_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tests" ADD CONSTRAINT "tests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "titles" ADD CONSTRAINT "titles_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_episode_idx" ON "alerts" USING btree ("kind","subject") WHERE "alerts"."cleared_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_raised_at_idx" ON "alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_message_idx" ON "dead_letters" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "analytics_polls_title_id_idx" ON "analytics_polls" USING btree ("title_id");--> statement-breakpoint
CREATE INDEX "analytics_polls_test_id_idx" ON "analytics_polls" USING btree ("test_id","polled_at");--> statement-breakpoint
CREATE INDEX "events_test_id_idx" ON "events" USING btree ("test_id","created_at");--> statement-breakpoint
CREATE INDEX "events_user_id_idx" ON "events" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "slots_test_slot_idx" ON "slots" USING btree ("test_id","slot_index");--> statement-breakpoint
CREATE INDEX "tests_user_id_idx" ON "tests" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "tests_status_idx" ON "tests" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "tests_one_live_per_video_idx" ON "tests" USING btree ("video_id") WHERE "tests"."status" in ('scheduled', 'running', 'paused', 'paused_drift', 'needs_reauth');--> statement-breakpoint
CREATE INDEX "titles_test_id_idx" ON "titles" USING btree ("test_id");--> statement-breakpoint
CREATE UNIQUE INDEX "titles_test_variant_idx" ON "titles" USING btree ("test_id","variant");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_idx" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_google_sub_idx" ON "users" USING btree ("google_sub");