import { Observable, Subject, type Subscriber } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { hotShare } from '../../../src/pipeline/hot-share.js';

/** hotShare keeps share()'s contract: one upstream while anyone listens, reset on the last leave or the end. */
describe('hotShare', () => {
  const counted = () => {
    const state = { subscriptions: 0, unsubscriptions: 0, subscriber: null as Subscriber<number> | null };
    const source = new Observable<number>((s) => {
      state.subscriptions++;
      state.subscriber = s;
      return () => void state.unsubscriptions++;
    });
    return { state, shared: hotShare(source) };
  };

  it('subscribes upstream once for every subscriber, in subscription order, and leaves when the last one does', () => {
    const { state, shared } = counted();
    const seen: string[] = [];
    const a = shared.subscribe((v) => seen.push(`a${v}`));
    const b = shared.subscribe((v) => seen.push(`b${v}`));
    state.subscriber!.next(1);
    a.unsubscribe();
    state.subscriber!.next(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(state).toMatchObject({ subscriptions: 1, unsubscriptions: 0 });
    b.unsubscribe();
    expect(state).toMatchObject({ subscriptions: 1, unsubscriptions: 1 });
    shared.subscribe(() => undefined); // a later subscriber starts anew
    expect(state.subscriptions).toBe(2);
  });

  it('passes an error or the end to every subscriber and resets', () => {
    const { state, shared } = counted();
    const ends: string[] = [];
    shared.subscribe({ error: (e: unknown) => ends.push(`a:${String(e)}`) });
    shared.subscribe({ error: (e: unknown) => ends.push(`b:${String(e)}`) });
    state.subscriber!.error('boom');
    expect(ends).toEqual(['a:boom', 'b:boom']);
    shared.subscribe({ complete: () => ends.push('c:done') });
    expect(state.subscriptions).toBe(2);
    state.subscriber!.complete();
    expect(ends).toEqual(['a:boom', 'b:boom', 'c:done']);
  });

  it('a subscriber added or removed while a value is delivered takes effect from the next value', () => {
    const source = new Subject<number>();
    const shared = hotShare(source);
    const seen: string[] = [];
    let late: { unsubscribe(): void } | null = null;
    const first = shared.subscribe((v) => {
      seen.push(`first${v}`);
      if (v === 1) late = shared.subscribe((w) => seen.push(`late${w}`));
      if (v === 2) second.unsubscribe();
    });
    const second = shared.subscribe((v) => seen.push(`second${v}`));
    source.next(1);
    source.next(2);
    source.next(3);
    expect(seen).toEqual(['first1', 'second1', 'first2', 'late2', 'first3', 'late3']);
    first.unsubscribe();
    late!.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('a source that completes while subscribing leaves nothing connected', () => {
    const ends: string[] = [];
    let subscriptions = 0;
    const shared = hotShare(
      new Observable<number>((s) => {
        subscriptions++;
        s.next(7);
        s.complete();
      }),
    );
    shared.subscribe({ next: (v) => ends.push(`v${v}`), complete: () => ends.push('done') });
    shared.subscribe({ next: (v) => ends.push(`w${v}`), complete: () => ends.push('done2') });
    expect(ends).toEqual(['v7', 'done', 'w7', 'done2']);
    expect(subscriptions).toBe(2);
  });

  it('a subscriber that subscribes again when the source ends synchronously gets a live new connection', () => {
    let subscriptions = 0;
    const live: Subscriber<number>[] = [];
    const shared = hotShare(
      new Observable<number>((s) => {
        subscriptions++;
        if (subscriptions === 1) s.complete(); // the first connection ends while subscribing
        else live.push(s);
      }),
    );
    const seen: number[] = [];
    let again: { unsubscribe(): void } | null = null;
    shared.subscribe({ complete: () => void (again = shared.subscribe((v) => seen.push(v))) });
    expect(subscriptions).toBe(2);
    live[0]!.next(5);
    expect(seen).toEqual([5]);
    again!.unsubscribe(); // the last one leaves: the new connection (not the ended one) is closed
    expect(live[0]!.closed).toBe(true);
  });
});
