// KIS uses the shared transport in src/net (GET for quotations, POST for tokens).
export {
  createHttpTransport as createKisTransport,
  type HttpAnswer,
  type HttpTransport as KisTransport,
  type HttpTransportOptions as KisTransportOptions,
} from '../../net/http-transport.js';
