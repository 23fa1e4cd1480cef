import { describe, expect, it } from 'vitest';
import { connectService, type ClientMessage, type ServerMessage, type Transport } from '../../../../core/common/rpc';

describe('the RPC client', () => {
  it('says an earlier build of the service is running, instead of waiting for ever, when the service answers in the old protocol', async () => {
    // The service of the previous build, as it answered a message it could not parse: the
    // error under `t` (its spelling), with the id the message carried. Stands in for a
    // service process of that build, which this checkout cannot run.
    let handler: (m: ServerMessage) => void = () => undefined;
    const transport: Transport<ServerMessage, ClientMessage> = {
      send: (message) => {
        const id = (message as { id?: number }).id ?? -1;
        queueMicrotask(() => handler({ t: 'error', id, error: { code: 'invalid-input', message: 'The request is malformed.' } } as unknown as ServerMessage));
      },
      onMessage: (h) => void (handler = h),
      onClose: () => undefined,
      close: () => undefined,
    };
    const service = connectService(transport);
    await expect(service.listVms()).rejects.toMatchObject({ code: 'service-unavailable', key: 'rpc.olderService' });
  });
});
