/**
 * Incremental Server-Sent Events decoder (the subset chat completions use): feeds text as it
 * arrives and returns the `data` of every event completed so far. Multi-line `data:` fields are
 * joined with `\n`; comments (`:`) and other fields are skipped; CR, LF and CRLF all end lines.
 */
export class SseDecoder {
  #buffer = '';
  #data: string[] = [];

  push(text: string): string[] {
    const events: string[] = [];
    this.#buffer += text;
    let start = 0;
    for (;;) {
      const newline = this.#buffer.indexOf('\n', start);
      const carriage = this.#buffer.indexOf('\r', start);
      let end = newline;
      if (carriage !== -1 && (newline === -1 || carriage < newline)) end = carriage;
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF: wait for more text.
      if (end === carriage && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(start, end);
      start = end + (end === carriage && this.#buffer[end + 1] === '\n' ? 2 : 1);
      this.#line(line, events);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** Ends the input: a final event without its blank line still counts. */
  flush(): string[] {
    const events: string[] = [];
    if (this.#buffer !== '') this.#line(this.#buffer.replace(/\r$/, ''), events);
    this.#buffer = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === '') {
      if (this.#data.length > 0) events.push(this.#data.join('\n'));
      this.#data = [];
    } else if (line.startsWith('data:')) {
      this.#data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    }
  }
}
