package dev.pipelinex.queue;

import dev.pipelinex.capacity.RunningShare;
import dev.pipelinex.config.Settings;
import dev.pipelinex.index.JobIndex;
import java.util.Optional;
import dev.pipelinex.worker.JobWorker;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.logging.Logger;

/**
 * Takes job ids off {@code PipelineJobs} and hands them to the worker. The container's
 * transaction covers the whole job: the message is consumed only when the final state is
 * written, so a node that dies mid-job leaves it to be delivered again.
 * Concurrency is the {@code maxSession} activation property ({@code pipelinex.concurrency}).
 */
@MessageDriven(name = "PipelineJobListener", activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationLookup", propertyValue = JobQueue.QUEUE_JNDI),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "${pipelinex.concurrency:2}")
})
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class PipelineJobListener implements MessageListener {

    private static final Logger LOG = Logger.getLogger(PipelineJobListener.class.getName());

    /** How long a job held back by {@link RunningShare} stays off the queue before it is looked at again. */
    static final long HOLD_MILLIS = 5_000;

    @Inject
    private JobWorker worker;

    @Inject
    private JobIndex index;

    @Inject
    private JobQueue queue;

    @Inject
    private Settings settings;

    @Override
    public void onMessage(Message message) {
        try {
            if (!(message instanceof TextMessage text)) {
                LOG.warning("ignoring a message that is not a job id: " + message);
                return;
            }
            String jobId = text.getText();
            Optional<String> wait = RunningShare.waitReason(index, jobId, settings.maxRunningPerAccount());
            if (wait.isPresent()) {
                // Sent again in this transaction: the job is never off the queue, whatever happens.
                queue.sendLater(jobId, message.getJMSPriority(), HOLD_MILLIS);
                LOG.fine("job " + jobId + " waits " + HOLD_MILLIS + " ms: " + wait.get());
                return;
            }
            worker.run(jobId, message.getIntProperty("JMSXDeliveryCount"));
        } catch (JMSException e) {
            throw new IllegalStateException("cannot read a job message", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running a job; it will be delivered again", e);
        }
    }
}
