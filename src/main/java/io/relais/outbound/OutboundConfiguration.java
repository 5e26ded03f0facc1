package io.relais.outbound;

import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ContactDirectory;
import io.relais.contact.SendSubjects;
import io.relais.conversation.MessageLog;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Wires the send pipeline: validates the senders at start-up (a +33 6/7 sender fails the start),
 * picks the providers from the credentials present, and exposes the pipeline as {@code sendPipeline}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({OutboundProperties.class, DeliveryProperties.class})
public class OutboundConfiguration {

  private static final Logger log = LoggerFactory.getLogger(OutboundConfiguration.class);

  @Bean
  public Providers outboundProviders(OutboundProperties props, DeliveryProperties delivery) {
    validateSenders(props);
    Providers providers = Providers.fromConfig(props, delivery);
    log.info("Outbound providers: SMS/WhatsApp/RCS via {}, email via {}",
        providers.apply(io.relais.contact.Channel.SMS).name(), providers.apply(io.relais.contact.Channel.EMAIL).name());
    return providers;
  }

  /** The contact feature's beans are resolved at first send (@Lazy), so the pipeline never blocks start-up. */
  @Bean
  public CompliantSendPipeline sendPipeline(@Lazy ContactDirectory contacts, @Lazy ConsentPolicy consent,
      @Lazy ConsentChanges consentChanges, @Lazy SendSubjects subjects, MessageLog messages, OutboundStore store, OutboundProperties props,
      Providers outboundProviders, Clock clock, PlatformTransactionManager transactions, ApplicationEventPublisher events,
      ObjectProvider<UnsubscribeLinks> unsubscribeLinks, ObjectProvider<ConversationOwnership> ownership,
      ObjectProvider<UnknownOutcomes> unknownOutcomes, DeliveryProperties delivery) {
    CompliantSendPipeline pipeline = new CompliantSendPipeline(contacts, consent, consentChanges, messages, store, props,
        outboundProviders, clock, transactions, events, unsubscribeLinks.getIfAvailable());
    // a first attempt cannot still be waiting for the provider after its time-outs
    pipeline.setInDoubtAfter(delivery.connectTimeout().plus(delivery.responseTimeout()).plusSeconds(5));
    ownership.ifAvailable(pipeline::setConversationOwnership);
    pipeline.setSendSubjects(subjects); // contact, consent and open handoff in one statement
    unknownOutcomes.ifAvailable(pipeline::setUnknownOutcomes);
    return pipeline;
  }

  static void validateSenders(OutboundProperties props) {
    OutboundProperties.Senders s = props.senders();
    SenderRules.requireAutomatedSender("relais.senders.sms.marketing", s.sms().marketing());
    SenderRules.requireAutomatedSender("relais.senders.sms.transactional", s.sms().transactional());
    SenderRules.requireAutomatedSender("relais.senders.whatsapp", s.whatsapp());
    SenderRules.requireAutomatedSender("relais.senders.rcs", s.rcs());
    if (SenderRules.kind(s.sms().stopShortCode()) != SenderRules.Kind.SHORT_CODE) {
      throw new IllegalStateException("relais.senders.sms.stop-short-code=" + s.sms().stopShortCode()
          + " must be a 5-digit short code (36xxx) that receives STOP");
    }
  }
}
