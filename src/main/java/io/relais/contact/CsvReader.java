package io.relais.contact;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV (RFC 4180: commas or semicolons, double quotes, quoted line breaks) record by record
 * from a stream, never holding more than one record of at most {@code maxRecordChars}: a longer
 * record is skipped to its end and reported, not read into memory.
 */
final class CsvReader {

  /** One record: its first physical line, its fields, or why it could not be read. */
  record Row(long line, List<String> fields, String error) {}

  private final Reader in;
  private final int maxRecordChars;
  private char separator;
  private long line = 1;
  private int pushedBack = -2;

  CsvReader(Reader in, int maxRecordChars) {
    this.in = in;
    this.maxRecordChars = maxRecordChars;
  }

  /** The header, which also fixes the separator (the first of ',' or ';' found outside quotes). */
  Row header() throws IOException {
    int c = read();
    if (c == '\uFEFF') {
      c = read(); // byte order mark
    }
    unread(c);
    return next(true);
  }

  /** The next record, or null at the end of the stream. Blank lines are skipped. */
  Row next() throws IOException {
    return next(false);
  }

  private Row next(boolean header) throws IOException {
    while (true) {
      long start = line;
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean fieldWasQuoted = false;
      int size = 0;
      int c = read();
      if (c == -1) {
        return null;
      }
      String error = null;
      while (true) {
        if (c == -1) {
          if (quoted) {
            return new Row(start, null, "unclosed double quote");
          }
          break;
        }
        if (++size > maxRecordChars) {
          skipToEndOfLine(quoted);
          return new Row(start, null, "line longer than " + maxRecordChars + " characters: skipped without reading it");
        }
        if (quoted) {
          if (c == '"') {
            int d = read();
            if (d == '"') {
              field.append('"');
            } else {
              quoted = false;
              unread(d);
            }
          } else {
            if (c == '\n') {
              line++;
            }
            field.append((char) c);
          }
        } else if (c == '"' && field.length() == 0 && !fieldWasQuoted) {
          quoted = true;
          fieldWasQuoted = true;
        } else if (header && separator == 0 && (c == ',' || c == ';')) {
          separator = (char) c;
          fields.add(field.toString());
          field.setLength(0);
          fieldWasQuoted = false;
        } else if (c == separator && separator != 0) {
          fields.add(field.toString());
          field.setLength(0);
          fieldWasQuoted = false;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r') {
            int d = read();
            if (d != '\n') {
              unread(d);
            }
          }
          line++;
          break;
        } else if (fieldWasQuoted) {
          error = "text after a closing double quote";
          field.append((char) c);
        } else {
          field.append((char) c);
        }
        c = read();
      }
      if (c == -1 && size == 0) {
        return null;
      }
      fields.add(field.toString());
      if (fields.size() == 1 && fields.get(0).isBlank() && !fieldWasQuoted) {
        continue; // blank line
      }
      if (header && separator == 0) {
        separator = ',';
      }
      return error == null ? new Row(start, fields, null) : new Row(start, null, error);
    }
  }

  private void skipToEndOfLine(boolean quoted) throws IOException {
    int c;
    while ((c = read()) != -1) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\n') {
        line++;
        if (!quoted) {
          return;
        }
      }
    }
  }

  private int read() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    return in.read();
  }

  private void unread(int c) {
    pushedBack = c;
  }
}
