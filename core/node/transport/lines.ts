import type net from 'node:net';

/** A line longer than this ends the connection: nothing we speak sends one, and it would be held whole in memory. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * Newline-delimited text on a stream socket, the framing of QMP and of the service's and
 * guest hosts' sockets: calls `onLine` with each line that is not blank, without its newline.
 */
export function readLines(socket: net.Socket, onLine: (line: string) => void, maxLineBytes = MAX_LINE_BYTES): void {
  // The parts of a line not yet ended. Only each new chunk is searched for the newline:
  // searching the whole pending text at every chunk made a 20 MB line take half a minute.
  let parts: string[] = [];
  let pending = 0;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      parts.push(chunk.slice(start, nl));
      const line = parts.join('');
      parts = [];
      pending = 0;
      start = nl + 1;
      if (line.trim()) onLine(line);
    }
    if (start < chunk.length) {
      parts.push(chunk.slice(start));
      pending += chunk.length - start;
    }
    if (pending > maxLineBytes) socket.destroy();
  });
}

/** Sends one line (`text` holds no newline: JSON.stringify's output never does); nothing once the socket is gone. */
export function writeLine(socket: net.Socket, text: string): void {
  if (!socket.destroyed) socket.write(text + '\n');
}
