package io.taskpool.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskpool.api.ApiProperties;
import io.taskpool.api.SecurityProperties;
import io.taskpool.task.BatchItemWriter;
import io.taskpool.task.BatchProperties;
import io.taskpool.task.BatchResultStream;
import io.taskpool.task.BatchService;
import io.taskpool.task.BatchSignals;
import io.taskpool.task.BatchStore;
import io.taskpool.task.InputSchemas;
import io.taskpool.task.NodeHeartbeat;
import io.taskpool.task.NodeIdentity;
import io.taskpool.task.NodeSignals;
import io.taskpool.task.RetentionStore;
import io.taskpool.task.RetentionSweeper;
import io.taskpool.task.TaskCompletions;
import io.taskpool.task.TaskEvents;
import io.taskpool.task.TaskQueries;
import io.taskpool.task.TaskService;
import io.taskpool.task.TaskStore;
import io.taskpool.worker.MemoryBudget;
import io.taskpool.worker.WorkerPool;
import io.taskpool.worker.WorkerPoolHealthIndicator;
import io.taskpool.worker.WorkerSupervisorHealthIndicator;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

/** Wires the task service to the worker pool, which need each other. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TaskpoolProperties.class)
class TaskpoolConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TaskpoolConfiguration.class);

    /** Room in a frame for the fields around a task's input or result. */
    private static final long FRAME_OVERHEAD_BYTES = 64 * 1024;

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    TaskCompletions taskCompletions() {
        return new TaskCompletions();
    }

    /** Re-reads tasks for woken long polls; a few threads suffice as each read is short. */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService taskWaitExecutor() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "task-wait-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    BatchSignals batchSignals() {
        return new BatchSignals();
    }

    /**
     * State changes and progress for the API's event streams. 1024 waiting events per stream is
     * a trade-off: a burst of a thousand batch items passes, a client that stops reading costs at
     * most that much memory before it is dropped. Four threads deliver to every stream.
     */
    @Bean(destroyMethod = "close")
    TaskEvents taskEvents() {
        return new TaskEvents(1024, 4);
    }

    @Bean
    InputSchemas inputSchemas() {
        return new InputSchemas();
    }

    // The API's parts of the configuration, on their own: the api package knows nothing of this one.

    @Bean
    ApiProperties apiProperties(TaskpoolProperties properties) {
        return properties.api();
    }

    @Bean
    SecurityProperties securityProperties(TaskpoolProperties properties) {
        return properties.security();
    }

    @Bean
    BatchProperties batchProperties(TaskpoolProperties properties) {
        return properties.batches();
    }

    /** Created once per start of the process: the owner of every task this process claims. */
    @Bean
    NodeIdentity nodeIdentity(TaskpoolProperties properties) {
        NodeIdentity node = properties.nodeIdentity();
        log.info("Node id '{}' (name '{}'{})", node.id(), node.name(),
                node.named() ? ", taskpool.node-id" : ", the host name");
        return node;
    }

    @Bean
    TaskService taskService(TaskStore store, TaskpoolProperties properties, NodeIdentity node, WorkerPool workers,
            TaskCompletions completions, BatchSignals batchSignals, ExecutorService taskWaitExecutor, Clock clock,
            MeterRegistry meters, InputSchemas inputSchemas, TaskEvents taskEvents, NodeSignals nodeSignals) {
        TaskService service = new TaskService(store, properties.tasks(), properties.queue(), node,
                workers, completions, batchSignals, taskWaitExecutor, clock, meters, properties.defaultTimeouts(),
                inputSchemas, taskEvents, properties.security()::maxQueued);
        service.connect(nodeSignals);
        return service;
    }

    /**
     * First thing when the context closes (before the web server's graceful shutdown waits for
     * requests in flight): long polls and event streams get their final answer.
     */
    @Bean
    TaskQueries taskQueries(TaskService tasks) {
        return tasks.queries();
    }

    @Bean
    ApplicationListener<ContextClosedEvent> releaseClientsOnShutdown(TaskService tasks,
            BatchResultStream batchResults) {
        return event -> {
            tasks.releaseClients();
            batchResults.stopAll();
        };
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    NodeHeartbeat nodeHeartbeat(TaskService tasks, TaskStore store, TaskpoolProperties properties) {
        return new NodeHeartbeat(tasks, properties.cluster().lease(), store.shared());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    BatchItemWriter batchItemWriter(BatchStore store, TaskService tasks, WorkerPool workers) {
        return new BatchItemWriter(store, tasks, workers);
    }

    @Bean
    BatchService batchService(BatchStore store, TaskService tasks, WorkerPool workers, TaskpoolProperties properties,
            BatchSignals batchSignals, ExecutorService taskWaitExecutor, MeterRegistry meters,
            BatchItemWriter batchItemWriter) {
        return new BatchService(store, tasks, workers, properties.batches(), batchSignals, taskWaitExecutor, meters,
                batchItemWriter);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionSweeper retentionSweeper(RetentionStore store, TaskpoolProperties properties, Clock clock,
            MeterRegistry meters) {
        return new RetentionSweeper(store, properties.tasks().retention(), properties.tasks().retentionSweepInterval(),
                clock, meters);
    }

    @Bean
    BatchResultStream batchResultStream(BatchStore store, BatchSignals batchSignals) {
        return new BatchResultStream(store, batchSignals);
    }

    /**
     * Frames carry a task's input one way and its result the other: room for the larger of the
     * two limits, plus the frame's own fields. The memory budget is checked first, so that a pool
     * that cannot fit in the container stops the start-up before any worker runs.
     */
    @Bean
    WorkerPool workerPool(TaskpoolProperties properties, ObjectProvider<TaskService> taskService,
            MeterRegistry meters, Clock clock) {
        MemoryBudget.of(properties.workers(), Runtime.getRuntime().maxMemory())
                .check(MemoryBudget.containerLimit(MemoryBudget.CGROUP_ROOT));
        long largest = Math.max(properties.tasks().maxResult().toBytes(), properties.api().maxBody().toBytes());
        int maxFrameBytes = (int) Math.min(Integer.MAX_VALUE - 8, largest + FRAME_OVERHEAD_BYTES);
        WorkerPool pool = new WorkerPool(properties.workers(), properties.programs(), properties.tasks().cancelGrace(),
                maxFrameBytes, properties.tasks().maxResult().toBytes(), taskService::getObject, meters, clock);
        pool.drainTimeout(properties.shutdown().drainTimeout());
        return pool;
    }

    @Bean
    WorkerPoolHealthIndicator workerPoolHealthIndicator(WorkerPool pool) {
        return new WorkerPoolHealthIndicator(pool);
    }

    @Bean
    WorkerSupervisorHealthIndicator workerSupervisorHealthIndicator(WorkerPool pool) {
        return new WorkerSupervisorHealthIndicator(pool);
    }
}
