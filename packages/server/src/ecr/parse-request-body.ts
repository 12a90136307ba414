/**
 * Parsing an ECR request body (JSON 1.1) so that no input costs more than its bytes: one pass over
 * the bytes checks the whole body is JSON (strings, escapes, numbers, literals, nesting no deeper than
 * MAX_JSON_DEPTH) without building anything, and only the members the operation declares are then
 * parsed. A member the operation does not know (AWS ignores them) is skipped by scanning, however
 * large: a 25 MB object of two million keys costs a scan of 25 MB, not a parse into two million
 * properties. A declared member holding more values than any ECR request has is refused unparsed.
 */
import { type EcrOperation, requestMemberNames } from "@berth/core";
import { decodedOrText, exactBase64String } from "./decode-blob.js";
import { lastRunHadHighBytes, plainRunEnd } from "./plain-run.js";

/** Deeper nesting than any ECR request needs (they nest 3 levels), shallow enough for any walk. */
export const MAX_JSON_DEPTH = 100;
/** Values (leaves and containers) one declared member may hold: the largest legal one holds ~600. */
export const MAX_MEMBER_VALUES = 10_000;

/** The message ECR gives a body that is not JSON, or not the structure it expects. */
export const INVALID_JSON_MESSAGE =
  "Start of structure or map found where not expected, or the body is not valid JSON";

export type ParsedBody =
  | { readonly ok: true; readonly request: unknown }
  | { readonly ok: false; readonly message: string };

// Scan results below 0 say why the scan stopped.
const INVALID = -1;
const TOO_DEEP = -2;
const TOO_MANY = -3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const OBJECT = 1;
const ARRAY = 2;

const table = (chars: string) => {
  const bytes = new Uint8Array(256);
  for (const char of chars) bytes[char.charCodeAt(0)] = 1;
  return bytes;
};
const WHITESPACE = table(" \t\n\r");
const DIGIT = table("0123456789");
const HEX = table("0123456789abcdefABCDEF");
const SIMPLE_ESCAPE = table('"\\/bfnrt');
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

/** The containers open around the value being scanned (one scan at a time: JavaScript is single-threaded). */
const open = new Uint8Array(MAX_JSON_DEPTH + 1);

const skipWhitespace = (b: Buffer, start: number): number => {
  let i = start;
  while (i < b.length && WHITESPACE[b[i] as number] === 1) i++;
  return i;
};

/** Whether the string scanned last held an escape (so its bytes are not its text). */
let lastStringEscaped = false;
/** Whether it held a byte >= 0x80 (else its bytes are ASCII, and latin1 decodes them fastest). */
let lastStringHadHighBytes = false;

/** From the opening quote at `start` to just past the closing one. */
const scanString = (b: Buffer, start: number): number => {
  const n = b.length;
  let i = start + 1;
  lastStringEscaped = false;
  lastStringHadHighBytes = false;
  while (i < n) {
    i = plainRunEnd(b, i, n);
    lastStringHadHighBytes ||= lastRunHadHighBytes;
    const c = b[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      lastStringEscaped = true;
      const escaped = b[i + 1] ?? 0;
      if (SIMPLE_ESCAPE[escaped] === 1) i += 2;
      else if (escaped === 0x75) {
        for (let k = 2; k < 6; k++) if (HEX[b[i + k] ?? 0] !== 1) return INVALID;
        i += 6;
      } else return INVALID;
    } else return INVALID; // a control character, or the end of the body
  }
  return INVALID;
};

const skipDigits = (b: Buffer, start: number): number => {
  let i = start;
  while (DIGIT[b[i] ?? 0] === 1) i++;
  return i;
};

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` */
const scanNumber = (b: Buffer, start: number): number => {
  let i = b[start] === MINUS ? start + 1 : start;
  if (b[i] === ZERO) i++;
  else if (DIGIT[b[i] ?? 0] === 1) i = skipDigits(b, i);
  else return INVALID;
  if (b[i] === DOT) {
    const fraction = skipDigits(b, i + 1);
    if (fraction === i + 1) return INVALID;
    i = fraction;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    const sign = b[i + 1] === PLUS || b[i + 1] === MINUS ? i + 2 : i + 1;
    const exponent = skipDigits(b, sign);
    if (exponent === sign) return INVALID;
    i = exponent;
  }
  return i;
};

const scanLiteral = (b: Buffer, start: number, literal: Buffer): number =>
  b.length - start >= literal.length &&
  b.compare(literal, 0, literal.length, start, start + literal.length) === 0
    ? start + literal.length
    : INVALID;

/** Past a member's name (ending at `end`): its colon and the whitespace after, where its value starts. */
const afterName = (b: Buffer, end: number): number => {
  const colon = skipWhitespace(b, end);
  return b[colon] === COLON ? skipWhitespace(b, colon + 1) : INVALID;
};

/** A member's name (at `start`), its colon and the whitespace after: where its value starts. */
const scanKey = (b: Buffer, start: number): number => {
  if (b[start] !== QUOTE) return INVALID;
  const end = scanString(b, start);
  return end < 0 ? end : afterName(b, end);
};

/** A leaf value (string, number, literal) at `start`: where it ends. */
const scanLeaf = (b: Buffer, start: number): number => {
  const c = b[start];
  if (c === QUOTE) return scanString(b, start);
  if (c === MINUS || DIGIT[c ?? 0] === 1) return scanNumber(b, start);
  if (c === 0x74) return scanLiteral(b, start, TRUE);
  if (c === 0x66) return scanLiteral(b, start, FALSE);
  if (c === 0x6e) return scanLiteral(b, start, NULL);
  return INVALID;
};

/**
 * One JSON value starting at `start`, inside `depth` open containers: where it ends, or why it is
 * refused. Iterative, with the open containers in `open`, so nesting costs no call stack; counts the
 * values it holds against `budget`.
 */
const scanValue = (b: Buffer, start: number, outer: number, budget: number): number => {
  let depth = outer;
  let values = 0;
  let i = start;
  for (;;) {
    // A value starts at i.
    const c = b[i];
    if (c === LBRACE || c === LBRACKET) {
      if (++depth > MAX_JSON_DEPTH) return TOO_DEEP;
      open[depth] = c === LBRACE ? OBJECT : ARRAY;
      i = skipWhitespace(b, i + 1);
      if (b[i] !== (c === LBRACE ? RBRACE : RBRACKET)) {
        if (c === LBRACE) i = scanKey(b, i);
        if (i < 0) return i;
        continue;
      }
      depth--;
      i++;
    } else {
      i = scanLeaf(b, i);
      if (i < 0) return i;
    }
    // A value ended at i: the next comes after a comma, or its container closes (and ends a value).
    for (;;) {
      if (++values > budget) return TOO_MANY;
      if (depth === outer) return i;
      i = skipWhitespace(b, i);
      const object = open[depth] === OBJECT;
      if (b[i] === COMMA) {
        i = skipWhitespace(b, i + 1);
        if (object) i = scanKey(b, i);
        if (i < 0) return i;
        break;
      }
      if (b[i] !== (object ? RBRACE : RBRACKET)) return INVALID;
      depth--;
      i++;
    }
  }
};

/** Whether `b` holds `name` at `at` (a loop: most keys differ at their first byte). */
const sameBytes = (b: Buffer, at: number, name: Buffer): boolean => {
  for (let k = 0; k < name.length; k++) if (b[at + k] !== name[k]) return false;
  return true;
};

/**
 * The declared member a key (the string from `start` to `end`, quotes included, just scanned) names,
 * if any. Compared as bytes, without making a string of every key: an object of millions of keys
 * costs no allocation per key.
 */
const memberNamed = (b: Buffer, start: number, end: number, members: MemberNames): string | undefined => {
  const length = end - start - 2;
  if (!lastStringEscaped) {
    const candidates = members.byLength.get(length);
    if (candidates === undefined) return undefined;
    for (const name of candidates) if (sameBytes(b, start + 1, name.bytes)) return name.text;
    return undefined;
  }
  // An escape is at most 6 bytes per character: a longer key names no member, and is not decoded.
  if (length > members.longest * 6) return undefined;
  const name = JSON.parse(b.toString("utf8", start, end)) as string;
  return members.names.has(name) ? name : undefined;
};

/** An operation's declared members, as the scanner looks them up. */
export interface MemberNames {
  readonly names: ReadonlySet<string>;
  readonly longest: number;
  /** The names as UTF-8 bytes, by their length in bytes. */
  readonly byLength: ReadonlyMap<number, ReadonlyArray<{ readonly text: string; readonly bytes: Buffer }>>;
}

export const memberNames = (names: ReadonlyArray<string>): MemberNames => {
  const byLength = new Map<number, Array<{ text: string; bytes: Buffer }>>();
  for (const text of new Set(names)) {
    const bytes = Buffer.from(text);
    byLength.set(bytes.length, [...(byLength.get(bytes.length) ?? []), { text, bytes }]);
  }
  return { names: new Set(names), longest: Math.max(0, ...names.map((name) => name.length)), byLength };
};

const declared = new Map<EcrOperation, MemberNames>();

/** The members an operation's request codec declares, derived once per operation. */
export const membersOf = (operation: EcrOperation): MemberNames => {
  let members = declared.get(operation);
  if (members === undefined) {
    members = memberNames(requestMemberNames(operation));
    declared.set(operation, members);
  }
  return members;
};

const refusal = (reason: number, member: string | undefined): ParsedBody => {
  if (reason === TOO_DEEP) {
    return { ok: false, message: `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels` };
  }
  if (reason === TOO_MANY) {
    const what = member === undefined ? "The request body" : `Member '${member}'`;
    return {
      ok: false,
      message: `${what} holds more than ${MAX_MEMBER_VALUES} JSON values, more than any ECR request`,
    };
  }
  return { ok: false, message: INVALID_JSON_MESSAGE };
};

/**
 * A value the scan found valid, parsed (its ends are ASCII, so no character is cut). A string without
 * escapes is its bytes as UTF-8, or latin1 when all of them are ASCII (the scan refused control
 * characters, and knows which): a 28 MB layer part is decoded
 * once, not parsed a second time. With `asBytes`, such an ASCII string is left as its bytes.
 */
const parseScanned = (b: Buffer, start: number, end: number, asBytes = false): unknown => {
  if (b[start] !== QUOTE || lastStringEscaped) return JSON.parse(b.toString("utf8", start, end));
  if (asBytes && !lastStringHadHighBytes) return b.subarray(start + 1, end - 1);
  return b.toString(lastStringHadHighBytes ? "utf8" : "latin1", start + 1, end - 1);
};

/**
 * A declared member's value from `start` on, with where it ends (or why it is refused). The member
 * named `base64Of` comes back decoded when it is a string of exact base64 (found without the JSON
 * scan when it holds no escape), else as its text.
 */
const memberValue = (
  body: Buffer,
  start: number,
  name: string | undefined,
  base64Of: string | undefined,
): { end: number; value?: unknown } => {
  if (name !== undefined && name === base64Of && body[start] === QUOTE) {
    const decoded = exactBase64String(body, start);
    if (decoded !== undefined) return { end: decoded.end, value: decoded.bytes };
  }
  const end = scanValue(body, start, 1, name === undefined ? Number.POSITIVE_INFINITY : MAX_MEMBER_VALUES);
  if (end < 0 || name === undefined) return { end };
  if (name !== base64Of) return { end, value: parseScanned(body, start, end) };
  return { end, value: decodedOrText(parseScanned(body, start, end, true)) };
};

/**
 * The request a body holds: its declared members parsed, any other member dropped unread. An empty
 * body is an empty request; a body that is JSON but not an object is parsed (within the same bounds)
 * for the codec to refuse in ECR's words. Nothing returned is a view of `body`: its buffer may be
 * reused as soon as this returns (see BodyBuffers).
 */
export const parseRequestBody = (
  body: Buffer,
  members: MemberNames,
  /** A member whose string comes back decoded (a Buffer) when it is exact standard base64. */
  base64Of?: string,
): ParsedBody => {
  if (body.length === 0) return { ok: true, request: {} };
  const start = skipWhitespace(body, 0);
  if (body[start] !== LBRACE) {
    const end = scanValue(body, start, 0, MAX_MEMBER_VALUES);
    if (end < 0) return refusal(end, undefined);
    if (skipWhitespace(body, end) !== body.length) return refusal(INVALID, undefined);
    return { ok: true, request: parseScanned(body, start, end) };
  }
  const request: Record<string, unknown> = {};
  let i = skipWhitespace(body, start + 1);
  if (body[i] === RBRACE) i = skipWhitespace(body, i + 1);
  else {
    for (;;) {
      if (body[i] !== QUOTE) return refusal(INVALID, undefined);
      const keyEnd = scanString(body, i);
      if (keyEnd < 0) return refusal(keyEnd, undefined);
      const name = memberNamed(body, i, keyEnd, members);
      const valueStart = afterName(body, keyEnd);
      if (valueStart < 0) return refusal(valueStart, undefined);
      const value = memberValue(body, valueStart, name, base64Of);
      if (value.end < 0) return refusal(value.end, name);
      // As JSON.parse does, the last of repeated members wins.
      if (name !== undefined) request[name] = value.value;
      i = skipWhitespace(body, value.end);
      if (body[i] === COMMA) i = skipWhitespace(body, i + 1);
      else if (body[i] === RBRACE) {
        i = skipWhitespace(body, i + 1);
        break;
      } else return refusal(INVALID, undefined);
    }
  }
  return i === body.length ? { ok: true, request } : refusal(INVALID, undefined);
};
