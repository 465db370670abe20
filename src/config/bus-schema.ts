import { z } from 'zod';

/**
 * The `bus` config section (design.md §5.2): Redis Streams for signals (through the outbox, a
 * notify sink of type "bus") and, optionally, the normalised market events. Off unless
 * `bus.redis.url` is set (or KRX_BUS_REDIS_URL).
 */
export const busSchema = z
  .strictObject({
    redis: z
      .strictObject({
        url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a URL such as redis://127.0.0.1:6379'),
      })
      .optional(),
    /** Names this node in each envelope's `origin`; default the session id. */
    origin: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional(),
    events: z
      .strictObject({
        /** Publish the normalised market events (the pipeline's stream) to `stream`. */
        enabled: z.boolean().default(false),
        /** One stream per class, never per symbol (Redis has no wildcard stream reads). */
        stream: z.string().min(1).default('krx:market'),
        /** Every XADD trims to about this many entries: memory is the retention limit. */
        maxLen: z.number().int().min(100).default(1_000_000),
        /** Envelopes waiting for Redis; beyond it new ones are dropped and counted, never waited for. */
        queueLimit: z.number().int().min(1).default(20_000),
        /** Most envelopes per round trip. */
        batchMax: z.number().int().min(1).max(10_000).default(500),
        /** Longest an event waits for its batch to go to Redis (a full batch goes at once). */
        flushMs: z.number().int().min(1).max(1_000).default(5),
        /**
         * Envelopes per second the egress takes at most (a burst of a quarter second's worth at once);
         * beyond it they are dropped and counted. The default is 4x a busy universe's 5,000 trades/s: a
         * flood (a replayed backlog, a broker burst) cannot turn Redis and the egress thread into two
         * more busy cores beside the pipeline's on a small machine.
         */
        maxRate: z.number().int().min(1).default(20_000),
        /** Event kinds or topics to publish; empty = every one not excluded. */
        include: z.array(z.string().min(1)).default([]),
        /** High-rate types stay out unless configured in: the order book by default. */
        exclude: z.array(z.string().min(1)).default(['orderbook', 'kiwoom.realtime.0D']),
      })
      .prefault({}),
    /**
     * A lease per Kiwoom app key (design.md 5.2), so two daemons never use one key at once. A key is
     * not used until its lease is held: Redis down at start = the key waits (reported in /healthz,
     * retried with backoff); a lease not renewed within two thirds of `ttlMs` (Redis down, or another
     * node took it) stops the key's socket and token before the lease ends. Off: a Redis outage never
     * stops ingestion, and only the data-directory lock guards against a second daemon.
     */
    leases: z
      .strictObject({
        enabled: z.boolean().default(true),
        ttlMs: z.number().int().min(3_000).max(600_000).default(30_000),
        retryBaseMs: z.number().int().min(100).default(1_000),
        retryCapMs: z.number().int().min(100).default(60_000),
      })
      .prefault({}),
    /** `start --from-bus`: where the consumer host starts reading the event stream. */
    consumer: z
      .strictObject({
        /** '0-0' = everything the stream retains (signals are stored idempotently), '$' = new entries only. */
        fromId: z.string().regex(/^(\$|\d+-\d+)$/).default('0-0'),
        blockMs: z.number().int().min(10).max(60_000).default(1000),
        batchMax: z.number().int().min(1).max(10_000).default(500),
      })
      .prefault({}),
  })
  .prefault({});

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** As the frozen Config holds it. */
export type BusConfig = DeepReadonly<z.output<typeof busSchema>>;
