package io.relais.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The benchmark's heap figure is the sum of the generations that {@code jcmd GC.heap_info} lists,
 * whatever the collector. The answers below were printed by this machine's JDK 17 for a small
 * program holding 6.4 MB, right after {@code jcmd GC.run}: with the parallel collector the first
 * "used" of the answer is the (empty) young generation, which the benchmark read as the heap
 * until 30 Nov 2026.
 */
class HeapInfoTest {

  static final String PARALLEL = """
      26489:
       PSYoungGen      total 76288K, used 0K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
        eden space 65536K, 0% used [0x00000000fab00000,0x00000000fab00000,0x00000000feb00000)
        from space 10752K, 0% used [0x00000000feb00000,0x00000000feb00000,0x00000000ff580000)
        to   space 10752K, 0% used [0x00000000ff580000,0x00000000ff580000,0x0000000100000000)
       ParOldGen       total 175104K, used 6700K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
        object space 175104K, 3% used [0x00000000f0000000,0x00000000f068b268,0x00000000fab00000)
       Metaspace       used 127K, committed 320K, reserved 1114112K
        class space    used 4K, committed 128K, reserved 1048576K
      """;

  static final String G1 = """
      26545:
       garbage-first heap   total 30720K, used 7524K [0x00000000f0000000, 0x0000000100000000)
        region size 1024K, 0 young (0K), 0 survivors (0K)
       Metaspace       used 74K, committed 320K, reserved 1114112K
        class space    used 3K, committed 128K, reserved 1048576K
      """;

  static final String SERIAL = """
      26606:
       def new generation   total 78656K, used 0K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
        eden space 69952K,   0% used [0x00000000f0000000, 0x00000000f0000000, 0x00000000f4450000)
        from space 8704K,   0% used [0x00000000f4450000, 0x00000000f4450000, 0x00000000f4cd0000)
        to   space 8704K,   0% used [0x00000000f4cd0000, 0x00000000f4cd0000, 0x00000000f5550000)
       tenured generation   total 174784K, used 6700K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
         the space 174784K,   3% used [0x00000000f5550000, 0x00000000f5bdb268, 0x00000000f5bdb400, 0x0000000100000000)
       Metaspace       used 125K, committed 320K, reserved 1114112K
        class space    used 4K, committed 128K, reserved 1048576K
      """;

  @Test
  void theHeapIsEveryGenerationAndNotMetaspaceWhateverTheCollector() {
    assertThat(RelaisNode.usedHeap(PARALLEL)).isEqualTo(6700L * 1024);
    assertThat(RelaisNode.usedHeap(G1)).isEqualTo(7524L * 1024);
    assertThat(RelaisNode.usedHeap(SERIAL)).isEqualTo(6700L * 1024);
  }

  @Test
  void anAnswerWithoutAGenerationIsAnError() {
    assertThatThrownBy(() -> RelaisNode.usedHeap("26489:\nGC.heap_info: unknown command")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theLiveObjectsAreTheClassHistogramsTotal() {
    // the head and tail of this machine's JDK 17 answer, at 0 waiting journeys (30 Nov 2026)
    String histogram = """
        12985:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:        242941       23255104  [B (java.base@17.0.15)
           2:        138433        7838392  [Ljava.lang.Object; (java.base@17.0.15)
        7862:             1             16  sun.util.resources.cldr.provider.CLDRLocaleDataMetaInfo (jdk.localedata@17.0.15)
        Total       2039980       86930504
        """;
    assertThat(RelaisNode.liveObjects(histogram)).isEqualTo(86_930_504L);
    assertThatThrownBy(() -> RelaisNode.liveObjects("12985:\nGC.class_histogram: unknown command")).isInstanceOf(IllegalStateException.class);
  }
}
