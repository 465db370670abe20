import { notYetAvailable } from '../command.js';

// Commands whose issues have not landed yet. Each moves to its own file when it does.

export const simCommand = notYetAvailable(
  'sim',
  'run the Kiwoom + KIS simulator alone',
  `Usage: krx-signals sim [--port <n>] [--seed <s>]

Options:
  -p, --port <n>  port on 127.0.0.1 (default: an ephemeral port)
      --seed <s>  market seed
  -h, --help      show this help`,
  { port: { type: 'string', short: 'p' }, seed: { type: 'string' } },
  0,
  'the simulator issue (#3)',
);

export const replayCommand = notYetAvailable(
  'replay',
  'replay a recorded session through the same pipeline on a virtual clock',
  `Usage: krx-signals replay <recording> [--db <out.db>] [--config <file>] [--strategy <id> ...] [--speed max|1x|10x]

Options:
      --db <file>        where to write the replayed signals
  -c, --config <file>    config file (strategies and their parameters)
      --strategy <id>    run only this strategy (repeatable)
      --speed <s>        max (default), 1x or 10x
  -h, --help             show this help`,
  {
    db: { type: 'string' },
    config: { type: 'string', short: 'c' },
    strategy: { type: 'string', multiple: true },
    speed: { type: 'string' },
  },
  1,
  'the record and replay issue (#8)',
);

export const signalsCommand = notYetAvailable(
  'signals',
  'print stored signals',
  `Usage: krx-signals signals [--db <file>] [--since <t>] [--strategy <id>] [--symbol <code>] [--format table|jsonl|csv]

Options:
      --db <file>        the signal database (default: <dataDir>/signals.db)
      --since <t>        an ISO time or a duration such as 30m or 2h
      --strategy <id>    only this strategy
      --symbol <code>    only this stock code
      --format <f>       table (default), jsonl or csv
  -h, --help             show this help`,
  {
    db: { type: 'string' },
    since: { type: 'string' },
    strategy: { type: 'string' },
    symbol: { type: 'string' },
    format: { type: 'string' },
    config: { type: 'string', short: 'c' },
  },
  0,
  'the daemon issue (#7)',
);

export const sessionsCommand = notYetAvailable(
  'sessions',
  'list recorded sessions',
  `Usage: krx-signals sessions [--dir <folder>]

Options:
      --dir <folder>  the recordings folder (default: <dataDir>/recordings)
  -h, --help          show this help`,
  { dir: { type: 'string' }, config: { type: 'string', short: 'c' } },
  0,
  'the record and replay issue (#8)',
);
