package io.taskpool.worker;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An orderly stop ({@code taskpool.shutdown.*}).
 *
 * @param drainTimeout how long running tasks may go on to finish once the service is asked to
 *     stop; what still runs then is stopped and re-queued without counting an attempt. Keep a
 *     pod's termination grace period longer than this.
 */
public record ShutdownProperties(@NotNull @DefaultValue("30s") Duration drainTimeout) {}
