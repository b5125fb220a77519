/** Keeps the last lines of a child's output, to explain a failure. */
export interface LogBuffer {
  push(chunk: string): void;
  tail(): string;
}

export function createLogBuffer(maxLines = 200): LogBuffer {
  const lines: string[] = [];
  return {
    push(chunk) {
      for (const line of chunk.split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line);
        if (lines.length > maxLines) lines.shift();
      }
    },
    tail() {
      return lines.join('\n');
    },
  };
}
