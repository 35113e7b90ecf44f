CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"key" text
);
--> statement-breakpoint
CREATE TABLE "hold_points" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"nanocycle_id" text,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "nanocycles" (
	"session_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"goal" text,
	"status" text NOT NULL,
	"branch" text NOT NULL,
	"executor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "nanocycles_session_id_id_pk" PRIMARY KEY("session_id","id")
);
--> statement-breakpoint
CREATE TABLE "project_memory" (
	"id" serial PRIMARY KEY NOT NULL,
	"project" text NOT NULL,
	"session_id" text,
	"kind" text NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"name" text PRIMARY KEY NOT NULL,
	"repository" text NOT NULL,
	"default_branch" text NOT NULL,
	"settings" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"project" text NOT NULL,
	"type" text NOT NULL,
	"branch" text NOT NULL,
	"status" text NOT NULL,
	"config" jsonb NOT NULL,
	"workspace_path" text,
	"start_commit" text,
	"context" jsonb,
	"plan" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"failure" text,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"event_seq" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "summaries" (
	"session_id" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"markdown" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hold_points" ADD CONSTRAINT "hold_points_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nanocycles" ADD CONSTRAINT "nanocycles_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_memory" ADD CONSTRAINT "project_memory_project_projects_name_fk" FOREIGN KEY ("project") REFERENCES "public"."projects"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_project_projects_name_fk" FOREIGN KEY ("project") REFERENCES "public"."projects"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "summaries" ADD CONSTRAINT "summaries_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "events_session_seq" ON "events" USING btree ("session_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "events_session_key" ON "events" USING btree ("session_id","key");--> statement-breakpoint
CREATE INDEX "project_memory_project" ON "project_memory" USING btree ("project","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "project_memory_session_kind" ON "project_memory" USING btree ("session_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_one_open_per_project" ON "sessions" USING btree ("project") WHERE status in ('starting', 'active', 'paused', 'ending');--> statement-breakpoint
CREATE INDEX "sessions_project_started" ON "sessions" USING btree ("project","started_at");