package io.relais.outbound;

import org.springframework.web.util.HtmlUtils;

/** The text and HTML parts of an email from one rendered text, with the unsubscribe link when given. */
final class EmailBodies {

  private EmailBodies() {}

  static String text(String body, String unsubscribeUrl) {
    return unsubscribeUrl == null ? body : body + "\n\n--\nSe désinscrire : " + unsubscribeUrl;
  }

  static String html(String body, String unsubscribeUrl) {
    String escaped = HtmlUtils.htmlEscape(body, "UTF-8")
        .replaceAll("(https?://[^\\s<]+)", "<a href=\"$1\">$1</a>")
        .replace("\n", "<br>\n");
    StringBuilder html = new StringBuilder("<!doctype html><html lang=\"fr\"><body><p>").append(escaped).append("</p>");
    if (unsubscribeUrl != null) {
      String u = HtmlUtils.htmlEscape(unsubscribeUrl);
      html.append("<p style=\"font-size:12px;color:#666\"><a href=\"").append(u).append("\">Se désinscrire</a></p>");
    }
    return html.append("</body></html>").toString();
  }
}
