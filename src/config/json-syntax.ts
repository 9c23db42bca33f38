// Where and why a config file is not JSON: line, column and the usual mistake in words (JSON.parse gives neither on Bun).

export interface JsonSyntaxProblem {
  /** 1-based; the column counts characters, as editors do. */
  line: number;
  column: number;
  problem: string;
}

/** Deeper than this the scanner gives up and the caller falls back to JSON.parse's own message. */
const MAX_DEPTH = 256;
/** A bare word is quoted back only when short (a typo of true/false/null); a long one might be a pasted key. */
const MAX_ECHOED_WORD = 10;
const WORD = /[A-Za-z0-9_$]/;
const INVISIBLE = /[\u0000-\u001f\u007f-\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/;
const TYPOGRAPHIC_QUOTES = "\u2018\u2019\u201c\u201d";

class TooDeep extends Error {}

class Found {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

/**
 * The first syntax error in `text`, or undefined if it finds none (then JSON.parse's message is all there is).
 * Only called after JSON.parse failed, so the well-formed path costs nothing.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  try {
    new Scanner(text).document();
  } catch (thrown) {
    if (thrown instanceof TooDeep) return undefined;
    if (!(thrown instanceof Found)) throw thrown;
    return { ...lineAndColumn(text, thrown.offset), problem: thrown.problem };
  }
  return undefined;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.split("\n").length;
  return { line, column: [...before.slice(lineStart)].length + 1 };
}

/** The character at `offset` as a message shows it: invisible ones by code point, never the raw character. */
function describeAt(text: string, offset: number): string {
  const code = text.codePointAt(offset);
  if (code === undefined) return "the end of the file";
  const char = String.fromCodePoint(code);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code === 0xfeff) return `a byte order mark (${hex}, invisible)`;
  if (INVISIBLE.test(char)) return `an invisible character (${hex})`;
  return code < 0x80 ? `'${char}'` : `'${char}' (${hex})`;
}

/** A recursive-descent reader of the JSON grammar (RFC 8259) that only looks for the first mistake. */
class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail(this.pos, "the file is empty (it needs a JSON object)");
    this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length)
      this.fail(this.pos, `${this.describe(this.pos)} after the end of the JSON value`);
  }

  private fail(offset: number, problem: string): never {
    throw new Found(offset, problem);
  }

  private where(offset: number): string {
    const { line, column } = lineAndColumn(this.text, offset);
    return `line ${line}, column ${column}`;
  }

  private describe(offset: number): string {
    return describeAt(this.text, offset);
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpace(): void {
    for (;;) {
      const char = this.peek();
      if (char === " " || char === "\t" || char === "\n" || char === "\r") this.pos += 1;
      else if (char === "/" && (this.text[this.pos + 1] === "/" || this.text[this.pos + 1] === "*"))
        this.fail(this.pos, "a comment: JSON has no comments (remove it)");
      else return;
    }
  }

  /** A quote other than `"` where a string must start: say what JSON wants instead. */
  private failOnQuote(): void {
    const char = this.peek() ?? "";
    if (char === "'")
      this.fail(this.pos, 'a single quote: JSON strings and property names need double quotes (")');
    if (TYPOGRAPHIC_QUOTES.includes(char))
      this.fail(
        this.pos,
        `a typographic quote ${this.describe(this.pos)}: JSON needs plain double quotes (")`,
      );
  }

  private value(depth: number): void {
    if (depth > MAX_DEPTH) throw new TooDeep();
    const char = this.peek();
    if (char === undefined)
      this.fail(this.pos, "the file ends where a value was expected (is it cut short?)");
    else if (char === "{") this.object(depth);
    else if (char === "[") this.container("]", () => this.value(depth + 1));
    else if (char === '"') this.string();
    else if (char === "-" || isDigit(char)) this.number();
    else if (WORD.test(char)) this.word();
    else {
      this.failOnQuote();
      this.fail(this.pos, `${this.describe(this.pos)} where a value was expected`);
    }
  }

  private word(): void {
    const start = this.pos;
    while (WORD.test(this.peek() ?? "")) this.pos += 1;
    const found = this.text.slice(start, this.pos);
    if (found === "true" || found === "false" || found === "null") return;
    const shown = found.length <= MAX_ECHOED_WORD ? `'${found}'` : "an unquoted word";
    this.fail(
      start,
      `${shown} is not a JSON value (strings need double quotes; the literals are true, false, null)`,
    );
  }

  private digits(): void {
    while (isDigit(this.peek())) this.pos += 1;
  }

  private number(): void {
    const start = this.pos;
    if (this.peek() === "-") this.pos += 1;
    if (this.peek() === "0") {
      this.pos += 1;
      if (isDigit(this.peek())) this.fail(start, "a number with a leading zero: JSON does not allow one");
    } else if (isDigit(this.peek())) this.digits();
    else this.fail(this.pos, "a '-' that is not followed by digits");
    if (this.peek() === ".") {
      this.pos += 1;
      if (!isDigit(this.peek())) this.fail(this.pos, "a '.' in a number must be followed by digits");
      this.digits();
    }
    if (this.peek() === "e" || this.peek() === "E") {
      this.pos += 1;
      if (this.peek() === "+" || this.peek() === "-") this.pos += 1;
      if (!isDigit(this.peek())) this.fail(this.pos, "an exponent in a number must have digits");
      this.digits();
    }
    if (WORD.test(this.peek() ?? "") || this.peek() === ".")
      this.fail(start, "not a JSON number (decimal digits only: no hex, no units, no trailing '.')");
  }

  private string(): void {
    const start = this.pos;
    this.pos += 1;
    for (;;) {
      const char = this.peek();
      if (char === undefined)
        this.fail(this.pos, `the file ends inside the string begun at ${this.where(start)}`);
      else if (char === '"') {
        this.pos += 1;
        return;
      } else if (char === "\\") this.escape();
      else if (char === "\n" || char === "\r")
        this.fail(
          this.pos,
          `the string begun at ${this.where(start)} is not closed on its line (a missing '"'?)`,
        );
      else if (char < " ")
        this.fail(
          this.pos,
          `${this.describe(this.pos)} inside a string: write it as an escape (\\t, \\u0000...)`,
        );
      else this.pos += 1;
    }
  }

  private escape(): void {
    const next = this.text[this.pos + 1];
    if (next === undefined) this.fail(this.pos + 1, "the file ends inside a string");
    else if ('"\\/bfnrt'.includes(next)) this.pos += 2;
    else if (next === "u" && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
      this.pos += 6;
    else this.fail(this.pos, `'\\${next}' is not a JSON escape (a backslash itself is written \\\\)`);
  }

  private object(depth: number): void {
    this.container("}", () => {
      if (this.peek() !== '"') {
        this.failOnQuote();
        if (WORD.test(this.peek() ?? ""))
          this.fail(this.pos, "a property name without quotes: JSON needs double quotes");
        this.fail(this.pos, `expected a property name in double quotes, found ${this.describe(this.pos)}`);
      }
      this.string();
      this.skipSpace();
      if (this.peek() === undefined)
        this.fail(this.pos, "the file ends after a property name (is it cut short?)");
      if (this.peek() !== ":")
        this.fail(this.pos, `expected ':' after the property name, found ${this.describe(this.pos)}`);
      this.pos += 1;
      this.skipSpace();
      this.value(depth + 1);
    });
  }

  /** Objects and arrays alike: members separated by commas, no trailing comma, closed before the file ends. */
  private container(close: "}" | "]", member: () => void): void {
    const open = this.pos;
    const unclosed = () =>
      this.fail(
        this.text.length,
        `the file ends before the '${this.text[open]}' opened at ${this.where(open)} is closed`,
      );
    this.pos += 1;
    this.skipSpace();
    if (this.peek() === close) {
      this.pos += 1;
      return;
    }
    let comma: number | undefined;
    for (;;) {
      this.skipSpace();
      if (this.peek() === undefined) unclosed();
      if (comma !== undefined && this.peek() === close)
        this.fail(comma, `a trailing comma before '${close}': JSON allows none (remove it)`);
      member();
      this.skipSpace();
      const char = this.peek();
      if (char === ",") {
        comma = this.pos;
        this.pos += 1;
      } else if (char === close) {
        this.pos += 1;
        return;
      } else if (char === undefined) unclosed();
      else if (startsValue(char))
        this.fail(this.pos, `a missing ',' before this ${close === "}" ? "property" : "value"}`);
      else this.fail(this.pos, `expected ',' or '${close}' here, found ${this.describe(this.pos)}`);
    }
  }
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function startsValue(char: string): boolean {
  return char === '"' || char === "'" || char === "{" || char === "[" || char === "-" || WORD.test(char);
}
