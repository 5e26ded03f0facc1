package io.relais.analytics;

import io.relais.support.DebianChromium;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.support.RelaisSpringTest;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A marketer logs in, reads the KPIs of seeded journeys in a real Chromium, and filters one journey. */
@RelaisSpringTest
@Tag("browser")
class DashboardBrowserTest {

  @Autowired EngagementEvents events;
  @LocalServerPort int port;

  WebDriver driver;
  Path profile;
  String cart;
  String nps;

  @BeforeEach
  void seedAndStartBrowser() throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    cart = "panier-abandonne-" + suffix;
    nps = "satisfaction-nps-" + suffix;
    // Cart journey: email step (40 delivered, 6 clickers), SMS step with variants A and B (each 30 delivered).
    seed(cart, "Task_SendEmail", Channel.EMAIL, null, 40, 6, 2, 1);
    seed(cart, "Task_SendSms", Channel.SMS, "A", 30, 3, 6, 1);
    seed(cart, "Task_SendSms", Channel.SMS, "B", 30, 9, 8, 2);
    seed(nps, "Task_AskScore", Channel.SMS, null, 20, 0, 12, 0);
    for (int score : new int[] {10, 10, 9, 8, 6, 3}) {
      events.record(EngagementEvent.of(EngagementType.NPS_SCORE, "c-" + UUID.randomUUID()).journey(nps, 1, "Task_AskScore")
          .channel(Channel.SMS).segments(List.of("clients-fideles")).score(score));
    }

    profile = Files.createTempDirectory("relais-chromium-");
    driver = DebianChromium.start(DebianChromium.options(profile, "1400,2400", "fr-FR"));
    driver.manage().window().setSize(new Dimension(1400, 2400));
  }

  /** {@code delivered} messages, the first {@code clickers} clicked, then {@code repliers} replied, {@code orders} ordered (25 € each). */
  void seed(String journey, String step, Channel channel, String variant, int delivered, int clickers, int repliers, int orders) {
    for (int i = 0; i < delivered; i++) {
      String contact = "c-" + UUID.randomUUID();
      String message = UUID.randomUUID().toString();
      for (EngagementType type : List.of(EngagementType.SENT, EngagementType.DELIVERED)) {
        events.record(EngagementEvent.of(type, contact).journey(journey, 1, step).channel(channel).variant(variant)
            .segments(List.of("clients-fideles")).message(message).cost(type == EngagementType.SENT ? new BigDecimal("0.045") : null));
      }
      if (i < clickers) {
        events.record(EngagementEvent.of(EngagementType.CLICKED, contact).journey(journey, 1, step).channel(channel).variant(variant)
            .segments(List.of("clients-fideles")).message(message));
      }
      if (i < repliers) {
        events.record(EngagementEvent.of(EngagementType.REPLIED, contact).journey(journey, 1, step).channel(channel).variant(variant)
            .segments(List.of("clients-fideles")).message(message).delayMs(60_000L * (i + 1)));
      }
      if (i < orders) {
        events.record(EngagementEvent.of(EngagementType.ORDERED, contact).journey(journey, 1, step).channel(channel).variant(variant)
            .segments(List.of("clients-fideles")).message(message).order("o-" + UUID.randomUUID(), new BigDecimal("25.00")));
      }
    }
  }

  @AfterEach
  void quit() {
    if (driver != null) {
      driver.quit();
    }
  }

  WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(60));
  }

  void waitLoaded() {
    waiting().until(d -> "loaded".equals(d.findElement(By.id("status")).getAttribute("data-state")));
  }

  /** The group of each KPI table row (not the total or benchmark rows), read in one go while the page may re-render. */
  @SuppressWarnings("unchecked")
  List<String> groups() {
    return (List<String>) ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('#kpi-table tbody tr')].filter(tr => !tr.className).map(tr => tr.dataset.group)");
  }

  static String text(WebElement e) {
    return e.getText().replace('\u202f', ' ').replace('\u00a0', ' ');
  }

  @Test
  void marketerSeesTheKpisBesideTheBenchmarksAndFiltersAJourney() throws IOException {
    driver.get("http://localhost:" + port + "/dashboard");
    assertThat(driver.getCurrentUrl()).contains("/login");
    driver.findElement(By.id("username")).sendKeys("marketer");
    driver.findElement(By.id("password")).sendKeys("marketer");
    driver.findElement(By.id("login")).click();
    waitLoaded();
    assertThat(driver.getCurrentUrl()).contains("/dashboard");
    assertThat(groups()).contains(cart, nps);

    driver.findElement(By.id("filter-journey")).sendKeys(cart);
    new Select(driver.findElement(By.id("filter-groupBy"))).selectByValue("step");
    driver.findElement(By.id("apply")).click();
    waiting().until(d -> groups().equals(List.of(cart + " · Task_SendEmail", cart + " · Task_SendSms")));
    waitLoaded();

    // 100 delivered, 18 unique clickers, 4 orders of 25 €: 18 %, 4 %, 1 € per recipient.
    WebElement click = driver.findElement(By.cssSelector("[data-kpi=clickRate]"));
    assertThat(text(click.findElement(By.className("value")))).isEqualTo("18,0 %");
    assertThat(text(click.findElement(By.className("bench")))).isEqualTo("Moyenne : 5,76 % · Top 10 % : 14,89 %");
    assertThat(text(driver.findElement(By.cssSelector("[data-kpi=revenuePerRecipient] .value")))).isEqualTo("1,00 €");
    assertThat(driver.findElements(By.cssSelector("#funnels [data-journey='" + cart + "'] .funnel-chart canvas"))).hasSize(2);
    waiting().until(d -> d.findElement(By.id("experiments")).getText().contains("Task_SendSms"));
    assertThat(driver.findElements(By.cssSelector("#chart-main canvas"))).isNotEmpty();

    // the screenshot goes to target/; the documentation's copy only when asked
    // (-Drelais.docs.screenshots=true), so that a test run leaves the working tree as it was
    byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
    List<Path> targets = Boolean.getBoolean("relais.docs.screenshots")
        ? List.of(Path.of("target/screenshots/dashboard.png"), Path.of("docs/images/dashboard.png"))
        : List.of(Path.of("target/screenshots/dashboard.png"));
    for (Path target : targets) {
      Files.createDirectories(target.getParent());
      Files.write(target, png);
    }
  }
}
