import type { HttpTransport as NetTransport } from '../../net/http-transport.js';

// Kiwoom speaks POST only; the transport itself is the shared one in src/net.
export { createHttpTransport, headerOf, type HttpAnswer, type HttpTransportOptions } from '../../net/http-transport.js';
export type HttpTransport = Pick<NetTransport, 'post' | 'close'>;
