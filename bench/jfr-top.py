#!/usr/bin/env python3
"""Summarises a JFR recording of a Relais node: where its CPU samples go.

   jfr print --json --events jdk.ExecutionSample rec.jfr > samples.json && bench/jfr-top.py samples.json

Prints (1) the share of samples by top frame and (2) by the first frame in a package of
interest (Camunda engine, JDBC driver, Relais, Jackson, Tomcat...), which says which layer
burns the CPU."""
import collections, json, sys

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

data = json.load(open(sys.argv[1]))
events = data["recording"]["events"]
top = collections.Counter()
layers = collections.Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames:
        continue
    f = frames[0]["method"]
    top[f["type"]["name"].replace("/", ".") + "." + f["name"]] += 1
    layers[layer(frames)] += 1
n = sum(layers.values())
print(f"{n} execution samples")
print("\nby layer (deepest known frame):")
for k, v in layers.most_common():
    print(f"  {100.0 * v / n:5.1f} %  {k}")
print("\nby top frame:")
for k, v in top.most_common(25):
    print(f"  {100.0 * v / n:5.1f} %  {k}")
