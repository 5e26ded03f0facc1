package io.relais.inbound;

import io.relais.contact.Channel;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The French confirmations Relais sends for compliance keywords, naming the brand
 * ({@code relais.brand.name}) and how to reach it ({@code relais.brand.contact}).
 */
@Component
class ComplianceReplies {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");

  private final String brand;
  private final String contact;

  ComplianceReplies(@Value("${relais.brand.name:Relais}") String brand, @Value("${relais.brand.contact:}") String contact) {
    this.brand = brand;
    this.contact = contact;
  }

  String optedOut(Channel channel) {
    return "Vous êtes désinscrit(e) des messages de " + brand + " par " + channelName(channel)
        + ". Répondez START pour vous réinscrire.";
  }

  String optedIn(Channel channel) {
    return "Vous êtes réinscrit(e) aux messages de " + brand + " par " + channelName(channel)
        + ". Répondez STOP pour vous désinscrire.";
  }

  String help() {
    String reach = contact == null || contact.isBlank()
        ? "répondez à ce message, un conseiller vous répondra"
        : "contactez-nous : " + contact;
    return brand + " : pour toute question, " + reach + ". Répondez STOP pour ne plus recevoir nos messages.";
  }

  String paused(Instant until, ZoneId zone) {
    return brand + " : nos messages promotionnels sont suspendus jusqu'au " + DATE.format(until.atZone(zone))
        + " ; ils reprendront ensuite automatiquement. Répondez STOP pour vous désinscrire.";
  }

  static String channelName(Channel channel) {
    return switch (channel) {
      case SMS -> "SMS";
      case WHATSAPP -> "WhatsApp";
      case RCS -> "RCS";
      case EMAIL -> "e-mail";
    };
  }
}
