/**
 * An image's status and the steps that move it between storage classes.
 *
 * ECR restores an archived image asynchronously (ACTIVATING, "typically up to 20 minutes"). Berth
 * keeps no archived bytes elsewhere (an archived image's layers stay where they were), so there is
 * nothing to wait for: a restore makes the image ACTIVE at once, and ACTIVATING is never reported.
 */
import type { ImageDraft, ImageState } from "../kernel/registry-state.js";
import type { ImageStatus, Timestamp } from "../values/primitives.js";

export const imageStatusOf = (image: ImageState): ImageStatus =>
  image.storageClass === "ARCHIVE" ? "ARCHIVED" : "ACTIVE";

/** Only an ACTIVE image can be pulled: ECR refuses archived ones until they are restored. */
export const isPullable = (image: ImageState): boolean => imageStatusOf(image) === "ACTIVE";

/** UpdateImageStorageClass to ARCHIVE and lifecycle `transition` actions share this step. */
export const archiveImage = (image: ImageDraft, at: Timestamp): void => {
  image.storageClass = "ARCHIVE";
  image.lastArchivedAt = at;
};

export const activateImage = (image: ImageDraft, at: Timestamp): void => {
  image.storageClass = "STANDARD";
  image.lastActivatedAt = at;
};
