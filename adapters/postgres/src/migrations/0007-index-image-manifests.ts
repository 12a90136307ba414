import { type Kysely, type Migration, sql } from "kysely";

/**
 * The index `readImageManifest` looks manifests up by: the registry keeps no manifest text in
 * memory, and reads an image's from its ImagePushed event when the image is pulled. Partial: only
 * ImagePushed rows are in it.
 */
export const indexImageManifests: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("events_image_manifest_idx")
      .on("events")
      .expression(sql`stream_name, (data->>'imageDigest')`)
      .where(sql.ref("type"), "=", "ImagePushed")
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("events_image_manifest_idx").execute();
  },
};
