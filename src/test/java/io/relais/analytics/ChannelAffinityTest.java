package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelAffinityTest {

  static final List<Channel> ALL = ChannelAffinity.DEFAULT_ORDER;

  @Test
  void aNewContactGetsTheDefaultOrder() {
    assertThat(ChannelAffinity.rank(ALL, Map.of())).containsExactly(Channel.SMS, Channel.EMAIL, Channel.WHATSAPP, Channel.RCS);
  }

  @Test
  void theChannelTheContactEngagesOnComesFirst() {
    // WhatsApp: (4 + 0.5) / (5 + 5) = 0.45; SMS: (1 + 0.5) / (10 + 5) = 0.10; EMAIL untried: 0.1.
    Map<Channel, long[]> history = Map.of(Channel.SMS, new long[] {10, 1}, Channel.WHATSAPP, new long[] {5, 4});
    assertThat(ChannelAffinity.rank(ALL, history)).startsWith(Channel.WHATSAPP);
  }

  @Test
  void aChannelThatNeverEngagesFallsBelowAnUntriedOne() {
    // SMS: 0.5 / 25 = 0.02 < EMAIL's prior 0.10.
    Map<Channel, long[]> history = Map.of(Channel.SMS, new long[] {20, 0});
    assertThat(ChannelAffinity.rank(ALL, history)).containsExactly(Channel.EMAIL, Channel.WHATSAPP, Channel.RCS, Channel.SMS);
  }

  @Test
  void onlyConsentedChannelsAreCandidates() {
    Map<Channel, long[]> history = Map.of(Channel.WHATSAPP, new long[] {5, 5});
    assertThat(ChannelAffinity.rank(List.of(Channel.EMAIL, Channel.RCS), history)).containsExactly(Channel.EMAIL, Channel.RCS);
  }
}
