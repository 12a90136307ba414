/**
 * How many bytes base64 text decodes to, from its length and padding alone: the edge decodes a layer
 * part once, so its size limit must be checked without decoding it first.
 */

const EQUALS = 0x3d;
const codeAt = (text: string | Uint8Array, i: number): number | undefined =>
  typeof text === "string" ? text.charCodeAt(i) : text[i];

/**
 * The decoded length, or undefined when no base64 text has this length and padding. The text may
 * be given as its ASCII bytes.
 */
export const base64DecodedLength = (text: string | Uint8Array): number | undefined => {
  const last = text.length - 1;
  const padding = codeAt(text, last) === EQUALS ? (codeAt(text, last - 1) === EQUALS ? 2 : 1) : 0;
  const significant = text.length - padding;
  // Padded text comes in whole 4-character groups; a lone trailing character encodes no byte.
  if ((padding > 0 && text.length % 4 !== 0) || significant % 4 === 1) return undefined;
  return Math.floor((significant * 3) / 4);
};

const BASE64_ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * Whether `text` is base64 (the standard alphabet, up to two `=` of padding at the end). A table
 * loop: layer parts are up to 28 MB of text, where an anchored regular expression is several times
 * slower.
 */
export const isBase64Text = (text: string): boolean => {
  let end = text.length;
  if (text.endsWith("==")) end -= 2;
  else if (text.endsWith("=")) end -= 1;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || BASE64_ALPHABET[code] === 0) return false;
  }
  return true;
};

const BASE64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * The first `length` characters (at most) of the base64 text of `bytes`: what an error message
 * shows of a blob an edge decoded, exactly as it shows the text the blob came as.
 */
export const base64Prefix = (bytes: Uint8Array, length: number): string => {
  let text = "";
  for (let i = 0; i < bytes.length && text.length < length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    text += BASE64_DIGITS[a >> 2];
    text += BASE64_DIGITS[((a & 3) << 4) | ((b ?? 0) >> 4)];
    text += b === undefined ? "=" : BASE64_DIGITS[((b & 15) << 2) | ((c ?? 0) >> 6)];
    text += c === undefined ? "=" : BASE64_DIGITS[c & 63];
  }
  return text.slice(0, length);
};
