CREATE TABLE "traffic_sources" (
	"video_id" text NOT NULL,
	"day" date NOT NULL,
	"source" text NOT NULL,
	"views" bigint NOT NULL,
	"minutes" double precision NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "traffic_sources_video_id_day_source_pk" PRIMARY KEY("video_id","day","source")
);
