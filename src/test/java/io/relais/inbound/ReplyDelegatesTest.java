package io.relais.inbound;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.junit.jupiter.api.Test;

/** The delegates journeys call read {@code replyText} and write what the gateway after them needs. */
class ReplyDelegatesTest {

  @Test
  void classifyReplyWritesIntentScoreAndKeyword() throws Exception {
    DelegateExecution execution = mock(DelegateExecution.class);
    when(execution.getVariable("replyText")).thenReturn("9/10");
    new ClassifyReplyDelegate(new ReplyClassifier(() -> Optional.of(ReplyClassifierTest.shippedTable()))).execute(execution);
    verify(execution).setVariable("intent", "SCORE");
    verify(execution).setVariable("score", 9);
    verify(execution).setVariable("keyword", null);

    DelegateExecution quiz = mock(DelegateExecution.class);
    when(quiz.getVariable("replyText")).thenReturn("QUIZ");
    new ClassifyReplyDelegate(new ReplyClassifier(() -> Optional.of(ReplyClassifierTest.shippedTable()))).execute(quiz);
    verify(quiz).setVariable("intent", "KEYWORD");
    verify(quiz).setVariable("keyword", "QUIZ");
  }

  @Test
  void classifyReplyWritesOnlyWhatDiffersFromTheVariablesItFinds() throws Exception {
    DelegateExecution execution = mock(DelegateExecution.class);
    when(execution.getVariable("replyText")).thenReturn("9/10");
    when(execution.hasVariable(anyString())).thenReturn(true);
    when(execution.getVariable("intent")).thenReturn("SCORE");
    when(execution.getVariable("score")).thenReturn(7);
    when(execution.getVariable("keyword")).thenReturn(null);
    new ClassifyReplyDelegate(new ReplyClassifier(() -> Optional.of(ReplyClassifierTest.shippedTable()))).execute(execution);
    verify(execution).setVariable("score", 9);
    verify(execution, never()).setVariable(eq("intent"), any());
    verify(execution, never()).setVariable(eq("keyword"), any());
  }

  @Test
  void extractAddressWritesTheNewAddress() throws Exception {
    DelegateExecution execution = mock(DelegateExecution.class);
    when(execution.getVariable("replyText")).thenReturn("Je serai absent, livrez au 12 rue de la Paix 75002 Paris");
    new ExtractAddressDelegate(new AddressExtractor()).execute(execution);
    verify(execution).setVariable("newAddress", "12 rue de la Paix, 75002 Paris");
  }
}
