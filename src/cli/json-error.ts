/**
 * Where a JSON text stops being JSON. Node 20's JSON.parse messages do not always say where
 * ("Unexpected token ']', ..."), so a small scanner (RFC 8259 grammar, no values built) finds
 * the offset of the first character that cannot continue the text, for a "line 4, column 50".
 */

/** Thrown inside the scanner with the offset of the offending character. */
class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

const WHITESPACE = " \t\n\r";
const ESCAPES = '"\\/bfnrt';
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

class Scanner {
  i = 0;
  constructor(private readonly text: string) {}

  private fail(at = this.i): never {
    throw new JsonSyntaxAt(at);
  }

  private ws(): void {
    while (this.i < this.text.length && WHITESPACE.includes(this.text[this.i]!)) this.i++;
  }

  private expect(ch: string): void {
    if (this.text[this.i] !== ch) this.fail();
    this.i++;
  }

  private literal(word: string): void {
    for (const ch of word) this.expect(ch);
  }

  private string(): void {
    this.expect('"');
    for (;;) {
      if (this.i >= this.text.length) this.fail();
      const c = this.text[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c.charCodeAt(0) < 32) this.fail();
      if (c !== "\\") {
        this.i++;
        continue;
      }
      this.i++;
      const e = this.text[this.i];
      if (e === "u") {
        HEX4.lastIndex = this.i + 1;
        if (!HEX4.test(this.text)) this.fail(this.i + 1);
        this.i += 5;
      } else if (e !== undefined && ESCAPES.includes(e)) {
        this.i++;
      } else {
        this.fail();
      }
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail();
    this.i += m[0].length;
  }

  private members(close: string, member: () => void): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      member();
      this.ws();
      if (this.text[this.i] === close) {
        this.i++;
        return;
      }
      this.expect(",");
    }
  }

  value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === "{") {
      this.members("}", () => {
        this.ws();
        this.string();
        this.ws();
        this.expect(":");
        this.value();
      });
    } else if (c === "[") {
      this.members("]", () => this.value());
    } else if (c === '"') {
      this.string();
    } else if (c === "t") {
      this.literal("true");
    } else if (c === "f") {
      this.literal("false");
    } else if (c === "n") {
      this.literal("null");
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      this.number();
    } else {
      this.fail();
    }
  }

  document(): void {
    this.value();
    this.ws();
    if (this.i < this.text.length) this.fail();
  }
}

/** Offset of the first syntax error in `text`, or -1 if it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  try {
    new Scanner(text).document();
    return -1;
  } catch (e) {
    if (e instanceof JsonSyntaxAt) return e.offset;
    throw e;
  }
}

/** "line 4, column 50" for a character offset. */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < Math.min(offset, text.length); k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}
