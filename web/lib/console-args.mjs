// Checking what a person typed in the console, before anything runs: a clear message naming
// the problem (unknown option with the closest valid name, wrong type), and nothing changed.
// Each argument is checked as its command's entry says (commands.generated.mjs: `check`).

import { UsageError } from "./errors.mjs";

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

function closest(name, candidates) {
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

const isWholeDays = (v) => Number.isInteger(v) && v >= 0;

/** What each `check` of an argument accepts, and how a refusal says what was wanted. */
const CHECKS = {
  boolean: [(v) => typeof v === "boolean", "true or false"],
  days: [isWholeDays, "a whole number of days (0 or more)"],
  function: [(v) => typeof v === "function", "a function (message, percent) => …"],
  sessionId: [(v) => typeof v === "string" && v.length > 0, "a non-empty string such as 'session-123'"],
  // A boolean stands for `confirm` when that is omitted: rollbackSession(id, true).
  backupPath: [(v) => v === null || typeof v === "string" || typeof v === "boolean",
    "a backup path string (see showMigrationStatus()), or omitted for the newest"],
  confirm: [() => true, "anything (only true confirms)"],
};

/**
 * The arguments of a call of `command` (an entry of COMMANDS), each checked and defaulted:
 * what is sent to Python. Throws a UsageError naming the call and the argument.
 */
export function checkArguments(command, args) {
  return command.params.map((param, i) => {
    const value = args[i] === undefined && "default" in param ? param.default : args[i];
    if (param.check === "options") return checkOptions(value, param.options, command.usage);
    const [ok, wanted] = CHECKS[param.check];
    if (!ok(value)) throw new UsageError(`${command.usage}: ${param.name} must be ${wanted}, got ${describe(value)}`);
    return value;
  });
}

/** Check an options object against `schema` ({name: check}); `where` names the call. */
function checkOptions(options, schema, where) {
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
