// Checking what a person typed in the console, before anything runs: a clear message naming
// the problem (unknown option with the closest valid name, wrong type), and nothing changed.

export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
}

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

export function closest(name, candidates) {
  const lower = String(name).toLowerCase();
  let best = null;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase());
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return bestScore <= Math.max(2, Math.floor(String(name).length / 3)) ? best : null;
}

const describe = (value) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? `the string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;

export const isWholeDays = (v) => Number.isInteger(v) && v >= 0;

const CHECKS = {
  boolean: [(v) => typeof v === "boolean", "true or false"],
  days: [isWholeDays, "a whole number of days (0 or more)"],
  function: [(v) => typeof v === "function", "a function (message, percent) => …"],
};

/**
 * Check an options object against `schema` ({name: "boolean"|"days"|"function"}).
 * `where` names the call, e.g. "runChunkedMigration(options)".
 */
export function checkOptions(options, schema, where) {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new UsageError(`${where}: options must be an object like { dryRun: true }, got ${describe(options)}`);
  }
  const names = Object.keys(schema);
  for (const [name, value] of Object.entries(options)) {
    if (!(name in schema)) {
      const hint = closest(name, names);
      throw new UsageError(`${where}: unknown option "${name}"${hint ? ` — did you mean "${hint}"?` : ""} (valid: ${names.join(", ")})`);
    }
    const [ok, wanted] = CHECKS[schema[name]];
    if (value !== undefined && !ok(value)) {
      throw new UsageError(`${where}: option "${name}" must be ${wanted}, got ${describe(value)}`);
    }
  }
  return options;
}

export function checkSessionId(sessionId, where) {
  if (typeof sessionId !== "string" || sessionId.length === 0) {
    throw new UsageError(`${where}: sessionId must be a non-empty string such as 'session-123', got ${describe(sessionId)}`);
  }
  return sessionId;
}

export function checkDays(days, where, name = "retentionDays") {
  if (!isWholeDays(days)) throw new UsageError(`${where}: ${name} must be ${CHECKS.days[1]}, got ${describe(days)}`);
  return days;
}

export function checkBoolean(value, where, name) {
  if (typeof value !== "boolean") throw new UsageError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}
