package io.relais.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;

/** The authenticated caller of a Relais endpoint, as set by {@link ApiAuthenticationFilter}. */
public record RelaisUser(String id, List<String> groups) {

  static final String ATTRIBUTE = RelaisUser.class.getName();

  public boolean inAny(List<String> wanted) {
    return groups.stream().anyMatch(wanted::contains);
  }

  public static Optional<RelaisUser> of(HttpServletRequest request) {
    return Optional.ofNullable((RelaisUser) request.getAttribute(ATTRIBUTE));
  }
}
