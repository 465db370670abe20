import { DecodeError } from '../core/errors.js';
import type { HttpAnswer } from './http-transport.js';

/** An ok answer's body as a JSON object, or E_DECODE_JSON naming the call (`what`) and its details. */
export function jsonObjectOf(answer: HttpAnswer, what: string, details: Record<string, unknown>): Record<string, unknown> {
  const json = answer.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new DecodeError('E_DECODE_JSON', `${what}: response body is not a JSON object`, {
      details: { ...details, status: answer.status, sample: answer.text.slice(0, 80) },
    });
  }
  return json as Record<string, unknown>;
}
