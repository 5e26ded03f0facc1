package io.relais.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bench/run.sh} through Maven, for machines where the jar cannot be built offline: runs
 * {@link Benchmark#main} with the options in {@code -Drelais.bench.args="--n 10000 ..."}, the node
 * started from the test class path. Not part of the test run (tag {@code benchmark}).
 */
@Tag("benchmark")
class BenchmarkRun {

  @Test
  void runTheBenchmark() throws Exception {
    String args = System.getProperty("relais.bench.args", "").trim();
    Benchmark.main(args.isEmpty() ? new String[0] : args.split("\\s+"));
  }
}
