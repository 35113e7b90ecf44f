ALTER TABLE "nanocycle_logs" DROP CONSTRAINT "nanocycle_logs_stream";--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD CONSTRAINT "nanocycle_logs_stream" CHECK ("nanocycle_logs"."stream" in ('stdout', 'stderr', 'tevis'));