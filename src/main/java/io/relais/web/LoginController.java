package io.relais.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * A login page for Relais' own pages (simulator, dashboard). It opens the same session as the
 * Camunda web apps, so one login serves Tasklist, Cockpit and Relais alike.
 */
@RestController
public class LoginController {

  private final ProcessEngine engine;
  private final IdentityService identityService;

  public LoginController(ProcessEngine engine) {
    this.engine = engine;
    this.identityService = engine.getIdentityService();
  }

  @GetMapping(value = "/login", produces = MediaType.TEXT_HTML_VALUE)
  public String page(@RequestParam(defaultValue = "/") String next, @RequestParam(required = false) String error) {
    return """
        <!doctype html><html lang="fr"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Relais · connexion</title><link rel="stylesheet" href="/relais.css"></head>
        <body><main class="narrow"><h1>Relais</h1>
        %s
        <form method="post" action="/login">
        <input type="hidden" name="next" value="%s">
        <label>Utilisateur <input id="username" name="username" autocomplete="username" required></label>
        <label>Mot de passe <input id="password" name="password" type="password" autocomplete="current-password" required></label>
        <button id="login" type="submit">Se connecter</button>
        </form></main></body></html>
        """
        .formatted(
            error == null ? "" : "<p class=\"error\">Identifiant ou mot de passe incorrect.</p>",
            HtmlUtils.htmlEscape(safeNext(next)));
  }

  @PostMapping(value = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  public ResponseEntity<Void> login(
      @RequestParam String username,
      @RequestParam String password,
      @RequestParam(defaultValue = "/") String next,
      HttpServletRequest request) {
    String target = safeNext(next);
    if (!identityService.checkPassword(username, password)) {
      return ResponseEntity.status(HttpStatus.SEE_OTHER)
          .location(URI.create("/login?error=1&next=" + java.net.URLEncoder.encode(target, java.nio.charset.StandardCharsets.UTF_8)))
          .build();
    }
    UserAuthentication auth = AuthenticationUtil.createAuthentication(engine, username);
    request.getSession(true);
    Authentications auths = AuthenticationUtil.getAuthsFromSession(request.getSession());
    auths.addOrReplace(auth);
    AuthenticationUtil.updateSession(request.getSession(), auths);
    return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(target)).build();
  }

  /** Only local paths, so the login page cannot be used to redirect elsewhere. */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
      return "/";
    }
    return next;
  }
}
