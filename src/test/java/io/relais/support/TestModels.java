package io.relais.support;

import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaIn;

/** What the "Send message" element template adds that the fluent model builder cannot. */
public final class TestModels {

  private TestModels() {}

  /** The call activity {@code id} passes the journey's business key (the contact id), as the template's call does. */
  public static BpmnModelInstance passingBusinessKey(BpmnModelInstance model, String id) {
    CallActivity call = model.getModelElementById(id);
    CamundaIn businessKey = model.newInstance(CamundaIn.class);
    businessKey.setCamundaBusinessKey("#{execution.processBusinessKey}");
    call.getExtensionElements().addChildElement(businessKey);
    return model;
  }
}
