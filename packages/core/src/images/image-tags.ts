/**
 * An image's tags as the state holds them (`ImageDraft.tagged`: a lone tag as itself, else an
 * array), read and replaced only here.
 */
import type { ImageState } from "../kernel/registry-state.js";
import type { ImageTag } from "../values/primitives.js";
import { NO_TAGS } from "./shared-values.js";

type Tagged = ImageState["tagged"];

/** The image's tags, in the order they came. */
export const imageTags = (image: { readonly tagged: Tagged }): ReadonlyArray<ImageTag> =>
  typeof image.tagged === "string" ? [image.tagged] : image.tagged;

/** How many tags the image has. */
export const tagCount = (image: { readonly tagged: Tagged }): number =>
  typeof image.tagged === "string" ? 1 : image.tagged.length;

/** Whether the image has `tag`. */
export const hasTag = (image: { readonly tagged: Tagged }, tag: ImageTag): boolean =>
  typeof image.tagged === "string" ? image.tagged === tag : image.tagged.includes(tag);

/** `tags` as the state holds them. */
export const taggedAs = (tags: ReadonlyArray<ImageTag>): Tagged =>
  tags.length === 0 ? NO_TAGS : tags.length === 1 ? tags[0]! : tags;

/** The image's tags with `tag` last (unchanged if it has it). */
export const withTag = (image: { readonly tagged: Tagged }, tag: ImageTag): Tagged =>
  // concat allocates exactly; a spread `[...tags, tag]` grows its array by pushes (17 slots for one tag).
  hasTag(image, tag) ? image.tagged : taggedAs(imageTags(image).concat(tag));

/** The image's tags without `tag`. */
export const withoutTag = (image: { readonly tagged: Tagged }, tag: ImageTag): Tagged =>
  taggedAs(imageTags(image).filter((other) => other !== tag));
