// The one newline framing of QMP and the service's and guest hosts' sockets, on a real socket pair.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readLines, writeLine } from '../../../../../core/node/transport/lines';

const open: net.Server[] = [];
afterEach(() => open.splice(0).forEach((s) => s.close()));

/** A connected pair on loopback: `reader` gets what `writer` writes. */
async function pair(): Promise<{ reader: net.Socket; writer: net.Socket }> {
  const server = net.createServer();
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const writer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const reader = await accepted;
  return { reader, writer };
}

describe('readLines', () => {
  it('gives each line whole, however the chunks cut it, and passes blank lines over', async () => {
    const { reader, writer } = await pair();
    const lines: string[] = [];
    const ended = new Promise((resolve) => reader.once('end', resolve));
    readLines(reader, (line) => lines.push(line));
    for (const part of ['{"a":', '1}\n\n  \n{"b"', ':"é"}\n{"c":2}\n', 'no end']) {
      writer.write(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    writer.end();
    await ended;
    expect(lines).toEqual(['{"a":1}', '{"b":"é"}', '{"c":2}']);
  });

  it('ends the connection on a line longer than the limit', async () => {
    const { reader, writer } = await pair();
    const lines: string[] = [];
    const closed = new Promise((resolve) => reader.once('close', resolve));
    readLines(reader, (line) => lines.push(line), 1024);
    writer.on('error', () => undefined);
    writer.write('short\n' + 'x'.repeat(4096));
    await closed;
    expect(lines).toEqual(['short']);
    expect(reader.destroyed).toBe(true);
  });

  it('writeLine sends one line, and nothing once the socket is gone', async () => {
    const { reader, writer } = await pair();
    const lines: string[] = [];
    const got = new Promise<void>((resolve) => readLines(reader, (line) => lines.push(line) === 1 && resolve()));
    writeLine(writer, JSON.stringify({ execute: 'cont', id: '1' }));
    await got;
    expect(lines).toEqual(['{"execute":"cont","id":"1"}']);
    writer.destroy();
    expect(() => writeLine(writer, 'late')).not.toThrow();
  });
});
