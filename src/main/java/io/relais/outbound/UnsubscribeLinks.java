package io.relais.outbound;

import io.relais.contact.Channel;
import java.util.Optional;

/**
 * The seam through which the contact feature gives the personal unsubscribe URL
 * ({@code <public-base-url>/u/<token>}) put in every marketing email. Implemented as a bean by
 * the contact feature; without one, emails go without the link (logged).
 */
public interface UnsubscribeLinks {

  Optional<String> urlFor(String contactId, Channel channel);
}
