/**
 * KRX price rules and Kiwoom's value formatting: every value a string, prices signed by direction
 * versus the previous close, changes signed, rates with two decimals, sign codes 1-5.
 */
import { tickSize } from '../core/krx-ticks.js';

export { tickSize };

export function floorToTick(price: number): number {
  const t = tickSize(price);
  return Math.floor(price / t) * t;
}

export function ceilToTick(price: number): number {
  const t = tickSize(price);
  const c = Math.ceil(price / t) * t;
  // Crossing a band edge can change the tick; re-snap on the new band.
  return c % tickSize(c) === 0 ? c : Math.ceil(c / tickSize(c)) * tickSize(c);
}

/** Upper limit price: +30 % of the previous close, snapped down to a tick. */
export function upperLimit(prevClose: number): number {
  return floorToTick(Math.floor(prevClose * 1.3));
}

/** Lower limit price: -30 % of the previous close, snapped up to a tick. */
export function lowerLimit(prevClose: number): number {
  return Math.max(1, ceilToTick(Math.ceil(prevClose * 0.7)));
}

/** One tick up from a valid price. */
export function tickUp(price: number): number {
  return price + tickSize(price);
}

/** One tick down from a valid price (the tick of the band below applies at a band edge). */
export function tickDown(price: number): number {
  const down = price - tickSize(price - 1);
  return down < 1 ? 1 : down;
}

/**
 * A price with its direction versus the previous close: `+68100`, `-66000`, and for an unchanged
 * price `flat` (REST uses no sign, WebSocket a leading space).
 */
export function signedPrice(price: number, prevClose: number, flat: '' | ' ' = ''): string {
  if (price === 0) return '0';
  if (price > prevClose) return `+${price}`;
  if (price < prevClose) return `-${price}`;
  return `${flat}${price}`;
}

/** A signed integer: `+600`, `-50`, `0`. */
export function signedInt(n: number): string {
  if (n > 0) return `+${n}`;
  if (n < 0) return `-${-n}`;
  return '0';
}

/** A signed rate with two decimals: `+0.89`, `-0.67`, `0.00`. */
export function signedRate(r: number): string {
  const s = Math.abs(r).toFixed(2);
  if (s === '0.00') return '0.00';
  return r > 0 ? `+${s}` : `-${s}`;
}

/** Change rate in percent versus the previous close. */
export function changeRate(price: number, prevClose: number): number {
  return prevClose === 0 ? 0 : ((price - prevClose) / prevClose) * 100;
}

/** Kiwoom sign code: 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down. */
export function signCode(price: number, prevClose: number): string {
  if (price === prevClose) return '3';
  if (price > prevClose) return price >= upperLimit(prevClose) ? '1' : '2';
  return price <= lowerLimit(prevClose) ? '4' : '5';
}
