package io.relais.handoff;

import io.relais.support.DebianChromium;
import static io.relais.handoff.HandoffVariables.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ContactRegistry;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.Await;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An agent in a real (headless Debian) Chromium: logs in to Camunda Tasklist, opens the agents'
 * queue, claims the handoff, reads the transcript in the form, replies; the customer then has
 * exactly that reply, as a SERVICE message on their channel.
 */
@RelaisSpringTest
@Tag("browser")
class HandoffTasklistBrowserTest {

  static final Path SCREENSHOTS = Path.of("target/screenshots");

  @LocalServerPort int port;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired ManagementService management;
  @Autowired MessageLog messages;
  @Autowired ContactRegistry contacts;
  @Autowired Clock clock;

  WebDriver browser;
  Path profile;

  @BeforeEach
  void openBrowser() throws IOException {
    // Agents' hours, whatever time the build runs at.
    ClockUtil.setCurrentTime(Date.from(HandoffProcessTest.WEDNESDAY_10H));
    profile = Files.createTempDirectory("relais-chromium-");
    ChromeOptions options = DebianChromium.options(profile, "1400,1800", "en-US");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    browser = DebianChromium.start(options);
  }

  @AfterEach
  void closeBrowser() throws IOException {
    ClockUtil.reset();
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void agentReadsTranscriptInTasklistAndHerReplyReachesTheCustomerOnHisChannel() throws IOException {
    Contact marie = HandoffFixtures.contact(contacts, "Marie", "Dupont");
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Bonjour, je voudrais retourner mes baskets.");
    ClockUtil.setCurrentTime(Date.from(HandoffProcessTest.WEDNESDAY_10H.plusSeconds(30)));
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Elles sont trop petites, pointure 38.");
    String reason = "retour produit n°" + ThreadLocalRandom.current().nextInt(1000, 9999);
    ProcessInstance pi = runtime.startProcessInstanceByKey(PROCESS_ID, marie.id(),
        Map.of(REASON, reason, QUEUE, "agents"));
    Jobs.runDue(management, pi.getId());
    String taskName = "Marie D. — " + reason;

    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    try {
      openTasklist().sendKeys("agent");
      browser.findElement(By.cssSelector("input[ng-model='password']")).sendKeys("agent");
      browser.findElement(By.cssSelector("form[name='signinForm'] [type='submit']")).click();

      wait.until(ExpectedConditions.elementToBeClickable(
          By.xpath("//*[@cam-tasklist-filters]//*[contains(normalize-space(.), 'Conversations — agents')]"
              + "[not(*[contains(normalize-space(.), 'Conversations — agents')])]"))).click();
      wait.until(ExpectedConditions.elementToBeClickable(
          By.xpath("//*[@cam-tasks]//*[normalize-space(text())='" + taskName + "']"))).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[ng-click='claim()']"))).click();

      WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".fjs-container")));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".fjs-container"), "pointure 38"));
      String shown = form.getText();
      assertThat(shown).contains("Marie Dupont").contains(reason).contains("WHATSAPP");
      assertThat(shown.indexOf("retourner mes baskets")).isLessThan(shown.indexOf("pointure 38"));
      screenshot("handoff-form.png");

      String reply = "Bonjour Marie, je vous envoie une étiquette de retour pour la pointure 38.";
      WebElement textarea = form.findElement(By.cssSelector("textarea"));
      textarea.sendKeys(reply);
      form.findElement(By.xpath(".//label[contains(normalize-space(.), 'Répondre et attendre le client')]")).click();
      wait.until(ExpectedConditions.elementToBeClickable(
          By.xpath("//button[normalize-space(.)='Complete' or normalize-space(.)='Terminer']"))).click();

      Await.until("the hand-off task completed", Duration.ofSeconds(20), () -> tasks.createTaskQuery().processInstanceId(pi.getId()).count() == 0);
      Jobs.runDue(management, pi.getId());

      List<MessageRecord> sent = messages.transcript(marie.id()).stream()
          .filter(m -> m.direction() == Direction.OUT).toList();
      assertThat(sent).singleElement().satisfies(m -> {
        assertThat(m.body()).isEqualTo(reply);
        assertThat(m.channel()).isEqualTo(Channel.WHATSAPP);
        assertThat(m.category()).isEqualTo("SERVICE");
      });
    } catch (RuntimeException | AssertionError e) {
      screenshot("handoff-failure.png");
      Files.writeString(SCREENSHOTS.resolve("handoff-failure.html"), browser.getPageSource());
      Files.write(SCREENSHOTS.resolve("handoff-failure-console.log"),
          browser.manage().logs().get("browser").getAll().stream().map(Object::toString).toList());
      throw e;
    }
  }

  /**
   * Tasklist loads its plugins with RequireJS, which gives up after a few seconds: on a loaded
   * build machine the first load can time out, so reload (from the browser cache) a few times.
   */
  private WebElement openTasklist() {
    By username = By.cssSelector("input[ng-model='username']");
    for (int attempt = 1; ; attempt++) {
      browser.get("http://localhost:" + port + "/camunda/app/tasklist/");
      try {
        return new WebDriverWait(browser, Duration.ofSeconds(30))
            .until(ExpectedConditions.visibilityOfElementLocated(username));
      } catch (org.openqa.selenium.TimeoutException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
