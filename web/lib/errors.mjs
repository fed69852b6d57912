// The errors the client rejects with: every failure is a MigrationError with a stable `kind`
// (errors.KINDS in the Python package, mirrored by MigrationErrorKind in the .d.ts; a test keeps
// them equal). Only "usage" and "boot" are raised here, in JS.

/** A failure, as a readable JS Error (never a traceback). */
export class MigrationError extends Error {
  constructor(message, kind) {
    super(message);
    this.name = "MigrationError";
    this.kind = kind;
  }
}

/**
 * The migration can't run here (no IndexedDB or Worker), or its worker could not start or was
 * stopped: every call rejects with it, naming the URL or the cause. A MigrationError, kind "boot".
 */
export class MigrationBootError extends MigrationError {
  constructor(message) {
    super(message, "boot");
    this.name = "MigrationBootError";
  }
}

/** A call typed wrong (an unknown option, a wrong type): refused before anything runs. Kind "usage". */
export class UsageError extends MigrationError {
  constructor(message) {
    super(message, "usage");
    this.name = "UsageError";
  }
}
