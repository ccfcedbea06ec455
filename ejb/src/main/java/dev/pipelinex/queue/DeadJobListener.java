package dev.pipelinex.queue;

import dev.pipelinex.config.Settings;
import dev.pipelinex.worker.DeadJobs;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.time.Clock;

/** Takes job ids off {@code PipelineJobsDLQ} and marks those jobs FAILED with the reason. */
@MessageDriven(name = "DeadJobListener", activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationLookup", propertyValue = "java:/jms/queue/PipelineJobsDLQ"),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1")
})
public class DeadJobListener implements MessageListener {

    @Inject
    private Settings settings;

    @Override
    public void onMessage(Message message) {
        try {
            if (message instanceof TextMessage text) {
                new DeadJobs(settings.workspaces(), Clock.systemUTC()).fail(text.getText());
            }
        } catch (JMSException e) {
            throw new IllegalStateException("cannot read a dead-letter message", e);
        }
    }
}
