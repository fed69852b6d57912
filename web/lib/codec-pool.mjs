// Gzip and gunzip on a few workers, so the page's main thread (Python, IndexedDB requests)
// is not also compressing (~12 ms of a 200 KB session's migration, with its backup). On 2 cores
// there is no core to spare: measured, a worker made a batch 5-10% slower, so the default there
// is none. Where a worker can't start (no Worker, a CSP, a bundler that won't emit it), or dies,
// the same code runs here instead: slower, never different.
import { gunzipData, gzipText } from "./gzip-codec.mjs";
import { features } from "./platform.mjs";

export class CodecPool {
  constructor(size = defaultSize()) {
    this.size = size;
    this.workers = null; // started on first use
    this.pending = new Map(); // id -> {resolve, reject, fallback}
    this.nextId = 0;
    this.turn = 0;
  }

  gzip(text) {
    return this.run({ op: "gzip", text }, () => gzipText(text));
  }

  gunzip(data) {
    return this.run({ op: "gunzip", data }, () => gunzipData(data));
  }

  run(message, fallback) {
    const worker = this.worker();
    if (!worker) return fallback();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, fallback });
      worker.postMessage({ ...message, id });
    });
  }

  worker() {
    if (this.workers === null) this.workers = this.size > 0 ? this.start() : [];
    if (this.workers.length === 0) return null;
    this.turn = (this.turn + 1) % this.workers.length;
    return this.workers[this.turn];
  }

  start() {
    if (typeof Worker === "undefined" || !features().compressionStreams) return [];
    const workers = [];
    try {
      for (let i = 0; i < this.size; i++) {
        // Written inline, so bundlers (Vite) emit the worker as a file, not a data: URL
        // (whose relative import of gzip-codec.mjs would fail).
        const worker = new Worker(new URL("./codec-worker.mjs", import.meta.url), { type: "module" });
        worker.onmessage = ({ data }) => this.settle(data);
        worker.onerror = worker.onmessageerror = (event) => this.fail(event);
        workers.push(worker);
      }
    } catch {
      for (const worker of workers) worker.terminate();
      return [];
    }
    return workers;
  }

  settle({ id, result, failure }) {
    const job = this.pending.get(id);
    if (!job) return;
    this.pending.delete(id);
    if (failure === undefined) job.resolve(result);
    else job.reject(new Error(`codec worker: ${failure}`));
  }

  /** A worker that can't load or crashed: stop using workers; what was pending runs here. */
  fail(event) {
    console.warn("codec worker failed; gzip runs on the main thread from now on", event?.message ?? event);
    this.stop([]);
  }

  /** Workers running now (0 before the first use, or when gzip runs here). */
  get running() {
    return this.workers?.length ?? 0;
  }

  terminate() {
    this.stop(null);
  }

  /** End the workers (then use `workers`); a job they still had runs here, so none hangs. */
  stop(workers) {
    for (const worker of this.workers ?? []) worker.terminate();
    this.workers = workers;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const job of pending) job.fallback().then(job.resolve, job.reject);
  }
}

function defaultSize() {
  // Without CompressionStream only this realm can gzip (its fallback is Python, which the
  // workers don't have); without hardwareConcurrency, assume the 2 cores where none is spare.
  const found = features();
  if (!found.compressionStreams) return 0;
  const cores = found.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return cores <= 2 ? 0 : Math.min(3, cores - 1);
}
