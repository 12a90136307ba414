/**
 * How many bytes base64 text decodes to, from its length and padding alone: the edge decodes a layer
 * part once, so its size limit must be checked without decoding it first.
 */

/** The decoded length, or undefined when no base64 text has this length and padding. */
export const base64DecodedLength = (text: string): number | undefined => {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const significant = text.length - padding;
  // Padded text comes in whole 4-character groups; a lone trailing character encodes no byte.
  if ((padding > 0 && text.length % 4 !== 0) || significant % 4 === 1) return undefined;
  return Math.floor((significant * 3) / 4);
};
