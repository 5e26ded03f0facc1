package io.relais.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Copies of the project's folders (journeys, forms) that a test may change. */
public final class TestFiles {

  private TestFiles() {}

  /** A fresh copy of {@code from} at {@code to} (replacing what was there), without node_modules. */
  public static Path copyTree(Path from, Path to) {
    try {
      if (Files.exists(to)) {
        try (Stream<Path> old = Files.walk(to)) {
          old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(to);
      if (!Files.isDirectory(from)) {
        return to.toAbsolutePath();
      }
      try (Stream<Path> files = Files.walk(from)) {
        for (Path p : files.filter(f -> !f.toString().contains("node_modules")).toList()) {
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target);
          }
        }
      }
      return to.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
