package io.taskpool.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The queue at a glance, for one tenant or for all: what waits (by priority), what runs, and
 * this node's recent throughput and queue wait.
 *
 * @param queued queued tasks, counting the items of batches not yet written as tasks
 * @param queuedByPriority queued tasks by priority (unwritten batch items are not counted here)
 * @param running RUNNING tasks on every node
 * @param interval the length of each history point
 * @param history {@link QueueHistory#INTERVALS} closed intervals, oldest first, of this node alone
 */
public record QueueFigures(long queued, Map<Integer, Long> queuedByPriority, long running, Duration interval,
        List<QueueHistory.Point> history) {}
