// A codec worker: gzip and gunzip off the page's main thread, where Python runs. Messages:
// {id, op: "gzip", text} -> {id, result: DATA};  {id, op: "gunzip", data} -> {id, result: text | {error}}.
import { gunzipData, gzipText } from "./gzip-codec.mjs";

const ops = { gzip: (m) => gzipText(m.text), gunzip: (m) => gunzipData(m.data) };

self.onmessage = async ({ data: message }) => {
  try {
    self.postMessage({ id: message.id, result: await ops[message.op](message) });
  } catch (e) {
    self.postMessage({ id: message.id, failure: `${e?.name ?? "Error"}: ${e?.message ?? e}` });
  }
};
