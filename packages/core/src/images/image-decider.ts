/** The images slice: pushing manifests (PutImage) and deleting images and tags (BatchDeleteImage). */
import type { Slice } from "../kernel/slice.js";
import { decidePutImage } from "./decide-put-image.js";
import { evolveImage } from "./evolve-image.js";
import type { ImageCommand } from "./image-commands.js";
import { decideDeleteImages } from "./image-deletion.js";
import type { ImageEvent } from "./image-events.js";

export const imageDecider: Slice<ImageCommand, ImageEvent> = {
  decide: { PutImage: decidePutImage, DeleteImages: decideDeleteImages },
  evolve: evolveImage,
};
