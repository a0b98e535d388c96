CREATE TABLE "reporting_jobs" (
	"user_id" uuid NOT NULL,
	"report_type" text NOT NULL,
	"job_id" text NOT NULL,
	"job_created_at" timestamp with time zone NOT NULL,
	"reports_seen_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reporting_jobs_user_id_report_type_pk" PRIMARY KEY("user_id","report_type")
);
--> statement-breakpoint
CREATE TABLE "video_reach_days" (
	"video_id" text NOT NULL,
	"day" date NOT NULL,
	"user_id" uuid NOT NULL,
	"impressions" bigint NOT NULL,
	"clicks" bigint NOT NULL,
	"report_created_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "video_reach_days_video_id_day_pk" PRIMARY KEY("video_id","day")
);
--> statement-breakpoint
ALTER TABLE "reporting_jobs" ADD CONSTRAINT "reporting_jobs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_reach_days" ADD CONSTRAINT "video_reach_days_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "video_reach_days_user_idx" ON "video_reach_days" USING btree ("user_id");