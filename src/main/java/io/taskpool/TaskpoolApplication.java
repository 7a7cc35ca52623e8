package io.taskpool;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import sun.misc.Signal;

/** taskpool: compute tasks over HTTP, queued durably, run in a pool of isolated worker processes. */
@SpringBootApplication
public class TaskpoolApplication {

    public static void main(String[] args) {
        exitZeroOnSigterm();
        SpringApplication.run(TaskpoolApplication.class, args);
    }

    /**
     * SIGTERM is how Kubernetes (and most supervisors) ask a process to stop. The JVM would run
     * the orderly shutdown (the drain) and then exit 143; a stop that was asked for and went well
     * exits 0 instead, so it does not look like a crash.
     */
    private static void exitZeroOnSigterm() {
        try {
            Signal.handle(new Signal("TERM"), signal -> System.exit(0));
        } catch (IllegalArgumentException noSuchSignal) {
            // a platform without SIGTERM: the JVM's own handling applies
        }
    }
}
