import { Observable, type Subscriber, type Subscription } from 'rxjs';

/**
 * `share()` for the market stream, the hot path every event takes to its subscribers (the strategy
 * host, the bus egress): one upstream subscription while anyone listens, reset when the last leaves
 * or the source ends, as share() does. Each value goes to the subscribers in a plain indexed loop
 * over a copy-on-write array, where RxJS's Subject makes an iterator and a closure per value
 * (measured on bench/bus's pipeline with the host alone: about 1.5M events/s with share(), 1.8M
 * with this).
 */
export function hotShare<T>(source: Observable<T>): Observable<T> {
  let observers: readonly Subscriber<T>[] = [];
  /** The upstream subscription; `connected` is set before subscribing (a subscriber added meanwhile joins it). */
  let upstream: Subscription | null = null;
  let connected = false;
  /** Counts connections: a subscriber that reconnects from inside a synchronous end makes a newer one. */
  let generation = 0;
  const disconnect = (): void => {
    const connection = upstream;
    connected = false;
    upstream = null;
    connection?.unsubscribe();
  };
  /** Ends every current subscriber (error or complete) and resets, so a later subscriber starts anew. */
  const end = (each: (s: Subscriber<T>) => void): void => {
    const list = observers;
    observers = [];
    disconnect();
    for (const s of list) each(s);
  };
  return new Observable<T>((subscriber) => {
    observers = [...observers, subscriber];
    if (!connected) {
      connected = true;
      const mine = ++generation;
      const connection = source.subscribe({
        next: (value) => {
          const list = observers;
          for (let i = 0; i < list.length; i++) list[i]!.next(value);
        },
        error: (err: unknown) => end((s) => s.error(err)),
        complete: () => end((s) => s.complete()),
      });
      // Still this connection unless the source ended, or everyone left, while subscribing.
      if (connected && generation === mine) upstream = connection;
      else connection.unsubscribe();
    }
    return () => {
      observers = observers.filter((s) => s !== subscriber);
      if (observers.length === 0 && connected) disconnect();
    };
  });
}
