import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSignalStore } from '../../../src/adapters/store/signal-store.js';
import { fanOutSignals, signalCounter, signalLogLine } from '../../../src/app/signal-fanout.js';
import type { Signal } from '../../../src/core/signal.js';
import type { SignalSubscriber } from '../../../src/core/signal-sink.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { captureLog, makeSignal, makeTempDir, manualSchedule } from '../../support/store/fixtures.js';

const tmp = makeTempDir('krx-fanout-');
afterAll(() => tmp.cleanup());
let files = 0;

function setup() {
  const sched = manualSchedule();
  const store = openSignalStore({ file: join(tmp.dir, `signals-${++files}.db`), clock: createVirtualClock(0), queueLimit: 100, schedule: sched.schedule });
  return { store, sched };
}

const recorder = (name: string): SignalSubscriber & { got: string[][] } => {
  const got: string[][] = [];
  return { name, got, onCommitted: (signals) => void got.push(signals.map((s) => s.id)) };
};

describe('signal fan-out after commit', () => {
  it('hands each committed batch, as Signals, to every subscriber; a duplicate id is not handed over again', () => {
    const { store, sched } = setup();
    const a = recorder('a');
    const b = recorder('b');
    fanOutSignals(store, [a, b], captureLog());
    store.write(makeSignal(1));
    store.write(makeSignal(2));
    expect(a.got).toEqual([]); // nothing before the commit
    sched.run();
    store.write(makeSignal(2));
    store.write(makeSignal(3));
    sched.run();
    expect(a.got).toEqual([[makeSignal(1).id, makeSignal(2).id], [makeSignal(3).id]]);
    expect(b.got).toEqual(a.got);
    store.close();
  });

  it('isolates a throwing subscriber: logged with its name, the others and the store go on', () => {
    const { store, sched } = setup();
    const log = captureLog();
    const before = recorder('before');
    const after = recorder('after');
    const broken: SignalSubscriber = {
      name: 'broken',
      onCommitted: () => {
        throw new Error('sink down');
      },
    };
    fanOutSignals(store, [before, broken, after], log);
    store.write(makeSignal(1));
    expect(() => sched.run()).not.toThrow();
    store.write(makeSignal(2));
    sched.run();
    expect(before.got).toHaveLength(2);
    expect(after.got).toHaveLength(2);
    expect(store.stats()).toMatchObject({ committed: 2, writeErrors: 0 });
    const errors = log.lines.filter((l) => l.fields.code === 'E_SIGNAL_SUBSCRIBER');
    expect(errors).toHaveLength(2);
    expect(errors[0]!.fields).toMatchObject({ subscriber: 'broken', err: 'sink down', signals: 1 });
    store.close();
  });

  it('the log line and the counter are subscribers like any other', () => {
    const { store, sched } = setup();
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const counter = signalCounter();
    fanOutSignals(store, [counter, signalLogLine({ info: (fields, msg) => void lines.push({ fields, msg }) })], captureLog());
    const s: Signal = makeSignal(7);
    store.write(s);
    sched.run();
    expect(counter.count()).toBe(1);
    expect(lines).toEqual([{ fields: { event: 'signal', id: s.id, strategy: s.strategy, symbol: s.symbol, kind: s.kind, price: s.price, tsEvent: s.tsEvent }, msg: `signal ${s.kind} ${s.symbol} by ${s.strategy}` }]);
    store.close();
  });
});
