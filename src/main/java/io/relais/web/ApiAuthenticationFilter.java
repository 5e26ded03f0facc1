package io.relais.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards Relais' own endpoints ({@code /api/**}, the actuator except health, the simulator and
 * the dashboard) against Camunda identity: HTTP Basic for machines, or the session of the Camunda
 * web apps (and of {@code /login}) for people in a browser. 401 without credentials, 403 for a
 * user lacking the group.
 */
public class ApiAuthenticationFilter extends OncePerRequestFilter {

  private final IdentityService identityService;

  public ApiAuthenticationFilter(IdentityService identityService) {
    this.identityService = identityService;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (isPublic(path)) {
      chain.doFilter(request, response);
      return;
    }
    Optional<RelaisUser> user = basicUser(request);
    boolean viaSession = false;
    if (user.isEmpty()) {
      user = sessionUser(request);
      viaSession = user.isPresent();
    }
    if (user.isEmpty()) {
      if (isPage(path)) {
        response.sendRedirect(
            request.getContextPath() + "/login?next=" + java.net.URLEncoder.encode(path, StandardCharsets.UTF_8));
        return;
      }
      response.setHeader("WWW-Authenticate", "Basic realm=\"Relais\"");
      problem(response, 401, "Unauthorized", "Authentication required: HTTP Basic with a Relais (Camunda) user");
      return;
    }
    // A browser session must not be usable cross-site to change data.
    if (viaSession && isWrite(request) && request.getHeader("X-Requested-With") == null) {
      problem(response, 403, "Forbidden", "Header X-Requested-With is required with a browser session");
      return;
    }
    List<String> allowed = isWrite(request) || path.startsWith("/actuator") ? RelaisGroups.API_WRITERS : RelaisGroups.API_READERS;
    if (isPage(path)) {
      allowed = RelaisGroups.API_READERS;
    }
    if (!user.get().inAny(allowed)) {
      problem(response, 403, "Forbidden", "User '" + user.get().id() + "' is not in any of the groups " + allowed);
      return;
    }
    request.setAttribute(RelaisUser.ATTRIBUTE, user.get());
    chain.doFilter(request, response);
  }

  static boolean isPublic(String path) {
    return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
  }

  static boolean isPage(String path) {
    return path.startsWith("/simulator") || path.startsWith("/dashboard");
  }

  private static boolean isWrite(HttpServletRequest request) {
    String m = request.getMethod();
    return !(m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS"));
  }

  private Optional<RelaisUser> basicUser(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    String id = decoded.substring(0, colon);
    if (!identityService.checkPassword(id, decoded.substring(colon + 1))) {
      return Optional.empty();
    }
    List<String> groups =
        identityService.createGroupQuery().groupMember(id).list().stream().map(Group::getId).toList();
    return Optional.of(new RelaisUser(id, groups));
  }

  private static Optional<RelaisUser> sessionUser(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return Optional.empty();
    }
    Authentications auths = AuthenticationUtil.getAuthsFromSession(session);
    if (auths == null) {
      return Optional.empty();
    }
    return auths.getAuthentications().stream()
        .findFirst()
        .map(UserAuthentication.class::cast)
        .map(a -> new RelaisUser(a.getIdentityId(), List.copyOf(a.getGroupIds())));
  }

  private static void problem(HttpServletResponse response, int status, String title, String detail)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}");
  }
}
