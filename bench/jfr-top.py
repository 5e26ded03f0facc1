#!/usr/bin/env python3
"""Summarises a JFR recording of a Relais node: where its CPU samples go.

   jfr print --json --stack-depth 256 --events jdk.ExecutionSample rec.jfr > samples.json
   bench/jfr-top.py samples.json [--window FROM,TO] [--threads PREFIX]

Prints (1) the share of samples by the first frame in a package of interest (Camunda engine,
JDBC driver, Relais, Jackson, Tomcat...), which says which layer burns the CPU, (2) by thread,
(3) by top frame and (4) the methods found in most samples (inclusive: a method and everything it
calls). `jfr print` keeps 5 frames of each stack unless told otherwise: --stack-depth 256 (and
the recording's own stackdepth=256) is needed for (1) and (4) to see past the JDK.

--window keeps the samples between two instants in epoch seconds, as the benchmark prints each
measured phase ("window, timer burst: ... (epoch seconds 1796303156.123,1796303178.456)"), the
same string `perf report --time` takes."""
import argparse, collections, json
from datetime import datetime

LAYERS = [("org.postgresql", "PostgreSQL JDBC driver"), ("com.zaxxer.hikari", "Hikari"),
          ("org.apache.ibatis", "MyBatis (engine SQL mapping)"), ("org.camunda.bpm.engine.impl.history", "Camunda history"),
          ("org.camunda.bpm.engine.impl.persistence", "Camunda persistence"), ("org.camunda.bpm.engine.impl.db", "Camunda DB flush"),
          ("org.camunda.bpm.engine.impl.el", "Camunda expressions"), ("org.camunda.bpm.engine.impl.jobexecutor", "Camunda job executor"),
          ("org.camunda", "Camunda other"), ("io.relais", "Relais"), ("com.fasterxml", "Jackson"),
          ("org.apache.catalina", "Tomcat"), ("org.apache.tomcat", "Tomcat"), ("org.springframework", "Spring"),
          ("java.", "JDK"), ("jdk.", "JDK"), ("sun.", "JDK")]

def layer(frames):
    # the deepest frame (closest to the CPU) that belongs to a known layer, application layers first
    for f in frames:
        name = f["method"]["type"]["name"].replace("/", ".")
        for prefix, label in LAYERS[:-3]:
            if name.startswith(prefix):
                return label
    return "JDK/other"

def epoch(start_time):
    # "2026-12-03T12:44:25.105556434Z": whole seconds by datetime, the fraction kept to microseconds
    whole, _, frac = start_time.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float("0." + (frac or "0"))

args = argparse.ArgumentParser()
args.add_argument("samples")
args.add_argument("--window", help="FROM,TO in epoch seconds: only the samples in between")
args.add_argument("--threads", default="", help="only the threads whose name starts with this")
args.add_argument("--inclusive", type=int, default=40, help="how many methods to list by inclusive samples")
a = args.parse_args()
window = tuple(float(x) for x in a.window.split(",")) if a.window else None

events = json.load(open(a.samples))["recording"]["events"]
top = collections.Counter()
layers = collections.Counter()
threads = collections.Counter()
inclusive = collections.Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames:
        continue
    if window and not window[0] <= epoch(e["values"]["startTime"]) <= window[1]:
        continue
    thread = (e["values"].get("sampledThread") or {}).get("javaName") or "?"
    if not thread.startswith(a.threads):
        continue
    f = frames[0]["method"]
    top[f["type"]["name"].replace("/", ".") + "." + f["name"]] += 1
    layers[layer(frames)] += 1
    threads[thread.rstrip("0123456789")] += 1
    inclusive.update({fr["method"]["type"]["name"].replace("/", ".") + "." + fr["method"]["name"] for fr in frames})
n = sum(layers.values())
print(f"{n} execution samples" + (f" between {window[0]} and {window[1]}" if window else ""))
if not n:
    raise SystemExit(0)
print("\nby layer (deepest known frame):")
for k, v in layers.most_common():
    print(f"  {100.0 * v / n:5.1f} %  {k}")
print("\nby thread (numbers stripped):")
for k, v in threads.most_common(10):
    print(f"  {100.0 * v / n:5.1f} %  {k}")
print("\nby top frame:")
for k, v in top.most_common(25):
    print(f"  {100.0 * v / n:5.1f} %  {k}")
print("\ninclusive (the method or what it calls was running):")
for k, v in inclusive.most_common(a.inclusive):
    print(f"  {100.0 * v / n:5.1f} %  {k}")
