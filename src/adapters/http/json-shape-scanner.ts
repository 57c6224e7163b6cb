/** Limits on the shape of a JSON text, which decide what parsing it costs. */
export interface JsonShapeLimits {
  /** Most values, object keys included. */
  readonly values: number;
  /** Deepest nesting of objects and arrays. */
  readonly depth: number;
}

/** Which limit a text went over. */
export type JsonShapeExcess = keyof JsonShapeLimits;

const quote = 0x22;
const backslash = 0x5c;

function isStructuralOrSpace(byte: number): boolean {
  // , : [ ] { } and the four JSON whitespace bytes
  return byte === 0x2c || byte === 0x3a || byte === 0x5b || byte === 0x5d || byte === 0x7b || byte === 0x7d || byte <= 0x20;
}

// Most of a compiled pipeline is string content; a run of plain ASCII in a string only adds to
// the length, so it is stepped over without the per-byte bookkeeping.
function endOfPlainText(bytes: Uint8Array, from: number): number {
  let index = from;
  while (index < bytes.length) {
    const byte = bytes[index]!;
    if (byte >= 0x80 || byte === quote || byte === backslash) break;
    index += 1;
  }
  return index;
}

/**
 * Measures a JSON text from its raw UTF-8 bytes as they arrive, in one pass and without building
 * anything: how many values it holds and how deep it nests (what `JSON.parse` will spend time and
 * memory on), and how many bytes V8 will need to hold it as a string. It does not validate; a text
 * that is not JSON gets some count and is refused later by the parser.
 */
export class JsonShapeScanner {
  readonly #limits: JsonShapeLimits;
  #values = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #expectValue = true;
  #bytes = 0;
  #units = 0;
  #pending = 0;
  #nextMin = 0x80;
  #nextMax = 0xbf;
  #wide = false;
  #malformed = false;

  constructor(limits: JsonShapeLimits) {
    this.#limits = limits;
  }

  /**
   * Bytes the text takes as a V8 string: one a UTF-16 unit while every character is Latin-1, two
   * once one is not; with malformed UTF-8, two a byte (each bad byte may become U+FFFD).
   */
  get textBytes(): number {
    if (this.#malformed || this.#pending > 0) return 2 * this.#bytes;
    return this.#wide ? 2 * this.#units : this.#units;
  }

  /** Scans the next bytes; says which limit the text has gone over, if any. */
  scan(bytes: Uint8Array): JsonShapeExcess | undefined {
    this.#bytes += bytes.length;
    for (let index = 0; index < bytes.length; index += 1) {
      if (this.#inString && !this.#escaped && this.#pending === 0) {
        const end = endOfPlainText(bytes, index);
        this.#units += end - index;
        index = end;
        if (index === bytes.length) break;
      }
      const byte = bytes[index]!;
      if (byte >= 0x80 || this.#pending > 0) this.#countUtf8(byte);
      else this.#units += 1;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === backslash) this.#escaped = true;
        else if (byte === quote) this.#inString = false;
        continue;
      }
      const excess = this.#structure(byte);
      if (excess) return excess;
    }
    return undefined;
  }

  #structure(byte: number): JsonShapeExcess | undefined {
    if (byte === quote) {
      this.#inString = true;
      this.#expectValue = false;
      return this.#counted();
    }
    if (byte === 0x5b || byte === 0x7b) {
      this.#depth += 1;
      this.#expectValue = true;
      return this.#depth > this.#limits.depth ? 'depth' : this.#counted();
    }
    if (byte === 0x5d || byte === 0x7d) {
      this.#depth = Math.max(0, this.#depth - 1);
      this.#expectValue = false;
    } else if (byte === 0x2c || byte === 0x3a) {
      this.#expectValue = true;
    } else if (this.#expectValue && !isStructuralOrSpace(byte)) {
      // The first byte of a number, true, false or null.
      this.#expectValue = false;
      return this.#counted();
    }
    return undefined;
  }

  #counted(): JsonShapeExcess | undefined {
    this.#values += 1;
    return this.#values > this.#limits.values ? 'values' : undefined;
  }

  // Follows UTF-8 sequences: a lead byte says how many continuation bytes follow (and, for E0,
  // ED, F0 and F4, their range); a character past U+00FF, or any malformed byte, makes V8 hold the
  // whole text in two bytes a unit.
  #countUtf8(byte: number): void {
    if (byte >= 0x80 && byte < 0xc0) {
      if (this.#pending === 0 || byte < this.#nextMin || byte > this.#nextMax) this.#malformed = true;
      else this.#pending -= 1;
      this.#nextMin = 0x80;
      this.#nextMax = 0xbf;
      return;
    }
    if (this.#pending > 0) this.#malformed = true;
    this.#pending = 0;
    if (byte < 0x80) {
      this.#units += 1;
      return;
    }
    if (byte < 0xc2 || byte > 0xf4) {
      this.#malformed = true;
      return;
    }
    this.#pending = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
    this.#units += this.#pending === 3 ? 2 : 1;
    this.#nextMin = byte === 0xe0 ? 0xa0 : byte === 0xf0 ? 0x90 : 0x80;
    this.#nextMax = byte === 0xed ? 0x9f : byte === 0xf4 ? 0x8f : 0xbf;
    if (byte >= 0xc4) this.#wide = true;
  }
}
