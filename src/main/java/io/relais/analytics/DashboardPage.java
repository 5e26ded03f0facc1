package io.relais.analytics;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /dashboard}: the KPI dashboard, a static page (behind the login, see ApiAuthenticationFilter). */
@Controller
public class DashboardPage {

  @GetMapping({"/dashboard", "/dashboard/"})
  public String dashboard() {
    return "forward:/dashboard/index.html";
  }
}
