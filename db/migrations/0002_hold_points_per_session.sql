-- Hold point ids (HP-001, …) are numbered per session, so the key is (session_id, id).
ALTER TABLE "hold_points" DROP CONSTRAINT "hold_points_pkey";--> statement-breakpoint
ALTER TABLE "hold_points" ADD CONSTRAINT "hold_points_session_id_id_pk" PRIMARY KEY("session_id","id");
