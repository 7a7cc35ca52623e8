/**
 * Supervision of the worker processes, the parent side of the frame protocol.
 *
 * <pre>
 *  POST /api/v1/tasks
 *        |
 *        v
 *  TaskService --insert--> task table (QUEUED)
 *        | taskQueued()
 *        v
 *  Dispatcher  --claim (QUEUED -> RUNNING, one statement)--> task table
 *        | Assign(task)                                          ^
 *        v                                                       | starts, logs, outcomes
 *  Supervisor (thread worker-supervisor) ---------------> OutcomeWriter (thread outcome-writer)
 *        | Run frame on stdin                ^ FrameReceived / StreamBroken / ProcessExited
 *        v                                   |
 *  worker JVM: WorkerMain -> TaskHandler --> stdout frames --> worker-N-stdout thread
 *                                   stderr --> worker-N-stderr thread --> service log
 * </pre>
 *
 * <p><b>Dispatcher</b> waits for an idle worker (a permit the supervisor releases), then for a
 * queued task, claims as many as there are idle workers and posts them to the supervisor.
 *
 * <p><b>WorkerPool</b> is what the rest of the service calls: it starts and stops the supervisor
 * and the dispatcher with the application and turns calls (cancel, restart) into events.
 *
 * <p><b>Supervisor</b>: one thread owns every slot and handles events in order. It starts
 * workers, hands them tasks, enforces timeouts, cancel grace periods and heartbeats, charges a
 * worker's death to its one task, and starts replacements (with back-off when starts keep
 * failing). It reaches processes through {@link WorkerProcesses} and the store through a
 * {@link TaskRecorder}, and takes its time from an injected clock, so a test drives it with
 * events alone. {@link WorkerSlot}, {@link PendingWork}, {@link RollingRestart},
 * {@link TaskLogs} and {@link ExitDiagnosis} hold the parts that stand alone.
 *
 * <p><b>OutcomeWriter</b> is the supervisor's {@link TaskRecorder}: starts, logs, progress,
 * outcomes and unstarted work go to the store on its {@code outcome-writer} thread, in the order
 * they came, so the supervisor never waits for a disk.
 *
 * <p><b>WorkerProcess</b> wraps one child JVM and the two threads that drain its stdout (frames)
 * and stderr (log lines, and the tail kept to explain a crash); they only post events.
 *
 * <p><b>WorkerLauncher</b> and <b>WorkerClassPath</b> build the child's command line: same
 * {@code java.home}, its own heap, stdout reserved for frames, never a shell. The launcher also
 * writes the file that tells workers about the program task types ({@link ProgramProperties}),
 * gives each worker only the allowed environment variables ({@link WorkerEnvironment}: never the
 * service's configuration or secrets) and, on Linux, starts it under the configured
 * {@link WorkerLimits} through {@code prlimit}.
 *
 * <p><b>MemoryBudget</b> adds up, before the first worker starts, what the service's heap and every
 * worker JVM may use, and refuses to start a pool that does not fit in the container's memory
 * limit (read from the cgroup files).
 */
package io.taskpool.worker;
