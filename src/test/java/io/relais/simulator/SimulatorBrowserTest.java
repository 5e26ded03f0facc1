package io.relais.simulator;

import io.relais.support.DebianChromium;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A marketer in a real (headless Debian) Chromium plays a customer through the abandoned-cart
 * journey from the simulator page: the email, the SMS after the shortened wait, a hesitant reply
 * answered by the bot or an agent, then STOP and its confirmation. The job executor is off in
 * tests, so a background thread runs due jobs as it would.
 */
@RelaisSpringTest
@Tag("browser")
class SimulatorBrowserTest {

  static final Path SCREENSHOTS = Path.of("target/screenshots");
  /** A Wednesday, 10:00 in Paris: inside the marketing window, not a public holiday. */
  static final Instant WEDNESDAY_10H = Instant.parse("2026-07-15T08:00:00Z");
  static final String HESITATION = "J'hésite entre deux produits";

  @LocalServerPort int port;
  @Autowired ManagementService management;
  @Autowired TaskService tasks;

  WebDriver browser;
  Path profile;
  Thread jobRunner;
  final AtomicBoolean running = new AtomicBoolean(true);

  @BeforeEach
  void start() throws IOException {
    // The clock runs on from a weekday morning, so the shortened waits elapse and the SMS may go.
    ClockUtil.offset(WEDNESDAY_10H.toEpochMilli() - System.currentTimeMillis());
    jobRunner = new Thread(() -> {
      while (running.get()) {
        try {
          Jobs.runDue(management);
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // as the job executor: a failing job keeps its retries and incidents
        }
      }
    }, "simulator-test-jobs");
    jobRunner.setDaemon(true);
    jobRunner.start();

    profile = Files.createTempDirectory("relais-chromium-");
    browser = DebianChromium.start(DebianChromium.options(profile, "1280,1100", "fr-FR"));
  }

  @AfterEach
  void stop() throws Exception {
    running.set(false);
    jobRunner.interrupt();
    jobRunner.join(10_000);
    ClockUtil.reset();
    if (browser != null) {
      browser.quit();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Test
  void aMarketerPlaysTheCustomerOfTheAbandonedCartJourneyUpToStop() throws IOException {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    try {
      // Log in: /simulator sends an anonymous visitor to /login and back.
      browser.get("http://localhost:" + port + "/simulator");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("marketer");
      browser.findElement(By.id("password")).sendKeys("marketer");
      browser.findElement(By.id("login")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("banner"), "aucun message réel n'est envoyé"));

      // A new test contact with marketing consent on every channel.
      wait.until(ExpectedConditions.elementToBeClickable(By.id("new-contact"))).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.id("create-contact"))).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "créé"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("workspace")));
      String contactId = browser.findElement(By.id("contact-select")).getAttribute("value");
      assertThat(contactId).startsWith("sim-");

      // The shop reports an abandoned cart; waits are shortened.
      assertThat(browser.findElement(By.id("accelerate")).isSelected()).isTrue();
      browser.findElement(By.id("event-CART_ABANDONED")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("journeys"), "Étape"));

      // The email arrives first (left unopened, so the journey goes on to the SMS).
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#inbox .mail")));

      // After the shortened wait, the SMS with its STOP mention, live.
      wait.until(d -> lastText(d, "out").contains("STOP"));
      assertThat(browser.findElements(By.cssSelector("#thread .bubble.out.not-sent"))).isEmpty();

      // The customer hesitates: the bot answers, or an agent takes over.
      int before = bubbles("out").size();
      reply(HESITATION);
      wait.until(d -> lastText(d, "in").contains(HESITATION));
      wait.until(d -> bubbles("out").size() > before
          || tasks.createTaskQuery().processInstanceBusinessKey(contactId).count() > 0
              && text("journeys").contains(tasks.createTaskQuery().processInstanceBusinessKey(contactId).list().get(0).getName()));

      // STOP: the opt-out is confirmed on the phone.
      int beforeStop = bubbles("out").size();
      reply("STOP");
      wait.until(d -> lastText(d, "in").startsWith("STOP"));
      wait.until(d -> bubbles("out").size() > beforeStop && lastText(d, "out").contains("désinscrit"));
    } finally {
      screenshot("simulator.png");
    }
  }

  void reply(String text) {
    WebElement input = browser.findElement(By.id("reply-text"));
    input.clear();
    input.sendKeys(text);
    browser.findElement(By.id("reply-send")).click();
  }

  List<WebElement> bubbles(String direction) {
    return browser.findElements(By.cssSelector("#thread .bubble." + direction));
  }

  /** Read in one script: the live thread re-renders, so an element found a moment ago may be gone. */
  static String lastText(WebDriver d, String direction) {
    Object text = ((JavascriptExecutor) d).executeScript(
        "var b = document.querySelectorAll('#thread .bubble.' + arguments[0]);"
            + " return b.length ? b[b.length - 1].innerText : '';", direction);
    return text == null ? "" : text.toString();
  }

  String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
