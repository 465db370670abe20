import { notYetAvailable } from '../command.js';

// Commands whose issues have not landed yet. Each moves to its own file when it does.

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
