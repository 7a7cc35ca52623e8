package io.taskpool;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** taskpool: compute tasks over HTTP, queued durably, run in a pool of isolated worker processes. */
@SpringBootApplication
public class TaskpoolApplication {

    public static void main(String[] args) {
        SpringApplication.run(TaskpoolApplication.class, args);
    }
}
