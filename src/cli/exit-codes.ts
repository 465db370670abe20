/** Process exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** A runtime failure (a command could not do its work). */
  failure: 1,
  /** Bad usage or bad configuration: nothing was started. */
  usage: 2,
  /**
   * The broker kept rejecting the credentials (Kiwoom 8001/8002, KIS EGW00103) for
   * tokens.credentialsExitAfterMs: the supervisor restarts after a delay (sysexits EX_NOPERM).
   */
  credentials: 77,
  /** Another daemon holds the data directory (its lock file names a live pid): nothing was started. */
  dataDirLocked: 73,
  /** Stopped by a second SIGINT/SIGTERM before the graceful stop finished. */
  forced: 130,
  /** `replay` stopped by Ctrl-C/SIGTERM: what it replayed so far is committed. */
  interrupted: 130,
} as const;
