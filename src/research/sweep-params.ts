import { UsageError } from '../core/errors.js';

/** One parameter set of a sweep: param name -> value, in the order the user gave them. */
export type ParamSet = ReadonlyArray<readonly [string, unknown]>;

/**
 * `--param key=v1,v2` (repeatable) -> the cartesian product, first key slowest. Values read as
 * JSON where they parse (numbers, booleans), else as text.
 */
export function parseParamGrid(specs: readonly string[]): ParamSet[] {
  const axes: Array<{ key: string; values: unknown[] }> = [];
  for (const spec of specs) {
    const m = /^([A-Za-z_][\w.-]*)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`sweep: --param takes key=v1,v2,... (got '${spec}')`);
    const key = m[1]!;
    if (axes.some((a) => a.key === key)) throw new UsageError(`sweep: --param ${key} given twice`);
    const values = m[2]!.split(',').map((v) => v.trim());
    if (values.some((v) => v === '')) throw new UsageError(`sweep: --param ${key} has an empty value`);
    axes.push({ key, values: [...new Set(values)].map(readValue) });
  }
  let sets: Array<Array<readonly [string, unknown]>> = [[]];
  for (const axis of axes) sets = sets.flatMap((set) => axis.values.map((v) => [...set, [axis.key, v] as const]));
  return sets;
}

function readValue(text: string): unknown {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'number' || typeof v === 'boolean' ? v : text;
  } catch {
    return text;
  }
}

/** `maxRank=30,minRankClimb=3`; `(defaults)` for the empty set. */
export function describeParams(set: ParamSet): string {
  return set.length === 0 ? '(defaults)' : set.map(([k, v]) => `${k}=${String(v)}`).join(',');
}
