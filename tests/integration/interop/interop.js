// The JavaScript half of the HdrHistogram interop test (run by interop_test.py with node).
//
//   node interop.js NODE_MODULES decode   reads JSON lines {"name","b64"} on stdin; prints one
//                                         JSON line of statistics for each, as decoded by
//                                         hdr-histogram-js
//   node interop.js NODE_MODULES encode   records the same data sets as hdr_tool.cpp with
//                                         hdr-histogram-js; prints {"name","b64","stats"} lines
//   node interop.js NODE_MODULES hgrm R   reads one base64 line; prints its .hgrm (ratio R)
//   node interop.js NODE_MODULES hlog     reads a .hlog on stdin; prints one JSON line of
//                                         statistics per interval (HistogramLogReader)
//
// Statistics use HdrHistogram's (Java) definitions, computed with hdr-histogram-js's own
// layout functions: min is 0 when the zero bucket has counts, else the lowest equivalent value
// of the first non-empty bucket; max is the highest equivalent value of the last non-empty
// bucket. (hdr-histogram-js's maxValue field holds the raw recorded maximum instead.)
"use strict";
const path = require("path");
const readline = require("readline");

const modules = path.resolve(process.argv[2]);
const cmd = process.argv[3];
const hdr = require(path.join(modules, "hdr-histogram-js"));

function stats(h) {
  let min = 0;
  let max = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < h.countsArrayLength; i++) {
    if (h.getCountAtIndex(i) > 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (last >= 0) {
    min = first === 0 ? 0 : h.lowestEquivalentValue(h.valueFromIndex(first));
    max = h.highestEquivalentValue(h.valueFromIndex(last));
  }
  return {
    count: h.totalCount,
    min,
    max,
    mean: h.mean,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    "p99.9": h.getValueAtPercentile(99.9),
    p100: h.getValueAtPercentile(100),
  };
}

function decode(b64) {
  return hdr.decodeFromCompressedBase64(b64, 64);
}

function build(lowest, highest, sigfigs) {
  return hdr.build({
    lowestDiscernibleValue: lowest,
    highestTrackableValue: highest,
    numberOfSignificantValueDigits: sigfigs,
    bitBucketSize: 64,
  });
}

// Park-Miller minimal standard generator, as in hdr_tool.cpp (exact in doubles).
function parkMiller(seed) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state;
  };
}

// The same data sets as hdr_tool.cpp's datasets().
function datasets() {
  const out = [];
  const latency = () => build(1, 3600e9, 3);
  {
    const h = latency();
    const r = parkMiller(12345);
    for (let i = 0; i < 20000; i++) {
      const x = r();
      h.recordValue((x % 1000 + 1) * 10 ** (x % 10));
    }
    out.push(["spread", h]);
  }
  {
    const h = latency();
    h.recordValueWithCount(0, 100);
    for (let v = 1; v <= 50; v++) h.recordValue(v * 7);
    out.push(["zeros", h]);
  }
  {
    const h = latency();
    h.recordValue(123456789);
    out.push(["single", h]);
  }
  {
    const h = latency();
    const top = h.highestEquivalentValue(h.valueFromIndex(h.countsArrayLength - 1));
    for (const v of [5, 3600e9, top - 1000, top]) h.recordValueWithCount(v, 3);
    out.push(["near-top", h]);
  }
  {
    const h = latency();
    const r = parkMiller(777);
    for (let i = 0; i < 3000; i++) {
      const v = (r() % 5000000) + 1;
      h.recordValueWithCount(v, (r() % 1000000000) + 1);
    }
    out.push(["big-counts", h]);
  }
  {
    const h = build(1000, 3600e9, 2);
    const r = parkMiller(4242);
    for (let i = 0; i < 5000; i++) h.recordValue((r() * 997) % 100000000000);
    out.push(["lowest-1000", h]);
  }
  {
    const h = build(1, 10000000, 5);
    const r = parkMiller(99);
    for (let i = 0; i < 5000; i++) h.recordValue(r() % 10000000);
    out.push(["sigfigs-5", h]);
  }
  {
    const h = build(1, 100000, 1);
    for (let v = 0; v <= 100000; v += 37) h.recordValue(v);
    out.push(["sigfigs-1", h]);
  }
  return out;
}

async function lines() {
  const rl = readline.createInterface({ input: process.stdin });
  const all = [];
  for await (const line of rl) {
    if (line.trim() !== "") all.push(line);
  }
  return all;
}

async function main() {
  if (cmd === "encode") {
    for (const [name, h] of datasets()) {
      const b64 = hdr.encodeIntoCompressedBase64(h);
      console.log(JSON.stringify({ name, b64, stats: stats(h) }));
    }
  } else if (cmd === "decode") {
    for (const line of await lines()) {
      const { name, b64 } = JSON.parse(line);
      let result;
      try {
        result = { name, stats: stats(decode(b64)) };
      } catch (e) {
        result = { name, error: String(e) };
      }
      console.log(JSON.stringify(result));
    }
  } else if (cmd === "hgrm") {
    const [b64] = await lines();
    process.stdout.write(decode(b64).outputPercentileDistribution(5, Number(process.argv[4])));
  } else if (cmd === "hlog") {
    const text = (await lines()).join("\n") + "\n";
    const reader = new hdr.HistogramLogReader(text, 64);
    for (;;) {
      const h = reader.nextIntervalHistogram();
      if (h === null) break;
      console.log(JSON.stringify({ tag: h.tag, stats: stats(h) }));
    }
  } else {
    console.error("usage: node interop.js NODE_MODULES encode|decode|hgrm RATIO|hlog");
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
