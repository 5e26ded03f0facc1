package io.relais.outbound;

/**
 * The embedded default for every channel without credentials: nothing leaves the machine, the
 * message row itself is what "was delivered" (status DELIVERED, provider SIMULATOR).
 */
public class SimulatorProvider implements MessageProvider {

  public static final String NAME = "SIMULATOR";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean external() {
    return false;
  }

  @Override
  public Receipt send(OutboundMessage message) {
    return new Receipt("SIM-" + message.messageId(), "DELIVERED");
  }
}
