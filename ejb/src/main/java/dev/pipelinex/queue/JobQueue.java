package dev.pipelinex.queue;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;

/** Sends a job's id to the {@code PipelineJobs} queue as a persistent message, with a priority. */
@ApplicationScoped
public class JobQueue {

    public static final String QUEUE_JNDI = "java:/jms/queue/PipelineJobs";

    @Inject
    private JMSContext context;

    @Resource(lookup = QUEUE_JNDI)
    private Queue queue;

    public void send(String jobId) {
        send(jobId, 4);
    }

    /** Sends again, with the same priority, to be delivered no sooner than {@code delayMillis} from now. */
    public void sendLater(String jobId, int priority, long delayMillis) {
        context.createProducer()
                .setDeliveryMode(DeliveryMode.PERSISTENT)
                .setPriority(priority)
                .setDeliveryDelay(delayMillis)
                .send(queue, jobId);
    }

    /** Sends with a JMS priority (0-9): the broker delivers higher ones first, in order within one. */
    public void send(String jobId, int priority) {
        context.createProducer()
                .setDeliveryMode(DeliveryMode.PERSISTENT)
                .setPriority(priority)
                .send(queue, jobId);
    }
}
