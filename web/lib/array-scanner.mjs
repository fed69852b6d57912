// An incremental scanner over the text of one JSON array arriving in chunks: it yields each
// top-level element's exact JSON text, its value and its `id`, never holding more than the
// element being read. A text-level tool: what an element means is decided elsewhere (Python).
//
// The scanner finds element boundaries itself (brackets, strings, commas) and checks the
// array's own syntax; each element's text is then checked by JSON.parse, so an element is
// accepted exactly when JSON.parse of the whole array would accept it, with the same value.

export class ArrayScanError extends Error {
  name = "ArrayScanError";
}

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, OPEN_ARRAY = 91, CLOSE_ARRAY = 93, OPEN_OBJECT = 123, CLOSE_OBJECT = 125;
const isSpace = (c) => c === 32 || c === 10 || c === 13 || c === 9; // JSON's whitespace, nothing else

// Where the scan is, between elements.
const BEFORE = 0; // before the array's `[`
const FIRST = 1; // after `[`: an element or `]`
const NEXT = 2; // after `,`: an element
const AFTER = 3; // after an element: `,` or `]`
const ELEMENT = 4; // inside an element
const DONE = 5; // after the closing `]`: only whitespace

/** The `id` an element stands for: a string `id` of an object (not an array), else undefined. */
export const elementId = (e) => (e && typeof e === "object" && !Array.isArray(e) && typeof e.id === "string" ? e.id : undefined);

export class ArrayScanner {
  /**
   * `parse`: false where the text was checked before (the very same text: array-data.mjs
   * rewriteKnownArrayData): an element is then yielded as `{text, index}`, neither parsed nor
   * checked, and `textOf(index)` false leaves its text out (undefined: its pieces never kept).
   */
  constructor({ textOf = () => true, parse = true } = {}) {
    this.textOf = textOf;
    this.parse = parse;
  }

  state = BEFORE;
  count = 0; // elements yielded
  offset = 0; // characters consumed before the current chunk (for error messages)
  // Inside an element:
  pieces = []; // its text from earlier chunks
  keeping = true; // whether its text is wanted (textOf)
  depth = 0; // brackets open within it
  inString = false;
  backslashes = 0; // backslashes ending the previous chunk, inside a string
  ended = -1; // where the step just taken ended the element (-1: it goes on)

  /** Feed the next chunk of text; yields `{text, value, id}` for each element it completes. */
  *push(chunk) {
    const len = chunk.length;
    let start = this.state === ELEMENT ? 0 : -1; // where the current element begins in this chunk
    let i = 0;
    while (i < len) {
      if (this.state === ELEMENT) {
        const next = this.inString ? this.inStringStep(chunk, i) : this.elementStep(chunk, i);
        if (this.ended >= 0) {
          yield this.finish(chunk, start, this.ended);
          start = -1;
        }
        i = next;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (isSpace(c)) {
        i++;
      } else if ((this.state === FIRST || this.state === NEXT) && !(c === CLOSE_ARRAY && this.state === FIRST)) {
        if (c === COMMA || c === CLOSE_ARRAY) this.fail(i, `has ${String.fromCharCode(c)} where an element should be`);
        this.state = ELEMENT;
        this.keeping = this.parse || this.textOf(this.count);
        start = i;
      } else {
        i = this.betweenStep(chunk, i, c);
      }
    }
    if (this.state === ELEMENT && this.keeping && start >= 0 && start < len) this.pieces.push(chunk.slice(start, len));
    this.offset += len;
  }

  /**
   * One step inside a string of an element, from `i`: returns where the scan goes on, and sets
   * `ended`. A quote closes the string unless an odd run of backslashes escapes it: inside a
   * string every backslash begins an escape, and no escape holds a quote or backslash other
   * than `\"` and `\\`.
   */
  inStringStep(chunk, i) {
    this.ended = -1;
    const q = chunk.indexOf('"', i);
    if (q < 0) {
      this.backslashes = trailingBackslashes(chunk, i, chunk.length, this.backslashes);
      return chunk.length;
    }
    const run = trailingBackslashes(chunk, i, q, this.backslashes);
    this.backslashes = 0;
    if (run % 2 === 1) return q + 1;
    this.inString = false;
    if (this.depth === 0) this.ended = q + 1;
    return q + 1;
  }

  /**
   * The characters of an element outside its strings, from `i` up to the next string, the
   * element's end or the chunk's end: as inStringStep. A loop, not a call per character: this
   * runs over every character of the legacy array.
   */
  elementStep(chunk, i) {
    this.ended = -1;
    for (const len = chunk.length; i < len; i++) {
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) {
        this.inString = true;
        return i + 1;
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        this.depth++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (this.depth === 0) return (this.ended = i); // a scalar ends here; the `]` is the array's
        if (--this.depth === 0) return (this.ended = i + 1);
      } else if (this.depth === 0 && (c === COMMA || isSpace(c))) {
        return (this.ended = i); // a scalar (number, true...) ends here
      }
    }
    return i;
  }

  /** The array's own syntax between elements: character `c` at `i`; returns where the scan goes on. */
  betweenStep(chunk, i, c) {
    switch (this.state) {
      case BEFORE:
        if (c !== OPEN_ARRAY) this.fail(i, "does not begin with [");
        this.state = FIRST;
        break;
      case FIRST: // `]` of an empty array
        this.state = DONE;
        break;
      case AFTER:
        if (c === COMMA) this.state = NEXT;
        else if (c === CLOSE_ARRAY) this.state = DONE;
        else this.fail(i, `has ${JSON.stringify(chunk[i])} where , or ] should be`);
        break;
      default:
        this.fail(i, "goes on after its closing ]");
    }
    return i + 1;
  }

  /** Check that the text has ended with a whole array; throws ArrayScanError otherwise. */
  end() {
    if (this.state === BEFORE) throw new ArrayScanError("the text is empty, not a JSON array");
    if (this.state !== DONE) {
      throw new ArrayScanError(`the JSON array is cut short after ${this.count} whole elements (${this.offset} characters)`);
    }
  }

  /** The element ending at `end` of `chunk` (begun at `start`, or in an earlier chunk). */
  finish(chunk, start, end) {
    const tail = this.keeping ? chunk.slice(Math.max(start, 0), end) : undefined;
    const text = this.pieces.length ? this.pieces.join("") + tail : tail;
    this.pieces = [];
    this.depth = 0;
    this.state = AFTER;
    if (!this.parse) return { text, index: this.count++ };
    let value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ArrayScanError(`element ${this.count} is not valid JSON (${e.message})`);
    }
    return { text, value, id: elementId(value), index: this.count++ };
  }

  fail(i, what) {
    throw new ArrayScanError(`the JSON array ${what} (at character ${this.offset + i})`);
  }
}

/** How many backslashes end chunk[from, to); `carried` more when they run back to `from`. */
function trailingBackslashes(chunk, from, to, carried) {
  let k = to - 1;
  while (k >= from && chunk.charCodeAt(k) === BACKSLASH) k--;
  return to - 1 - k + (k < from ? carried : 0);
}

/**
 * Every element of the JSON array whose text `chunks` (an iterable or async iterable of strings)
 * delivers, in order, as `{text, value, id, index}` (ArrayScanner's options). Throws ArrayScanError for anything
 * JSON.parse of the whole text would refuse, and for a text cut short — after yielding the
 * elements before that point, so a caller acts only once the scan has finished.
 */
export async function* scanArray(chunks, options = undefined) {
  const scanner = new ArrayScanner(options);
  for await (const chunk of chunks) yield* scanner.push(chunk);
  scanner.end();
}

/** A string in slices of `size` characters (slices share the string's memory in V8). */
export function* slices(text, size = 1 << 20) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
