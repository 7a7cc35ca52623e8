package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.QueueFigures;
import io.taskpool.task.QueueHistory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The queue as {@code GET /api/v1/queue} shows it. */
@Schema(name = "Queue", description = "What waits, what runs, and the last fifteen minutes of throughput and"
        + " queue wait; an administrator sees every tenant's, anyone else their own tenant's")
record QueueView(
        @Schema(description = "Queued tasks, counting the items of batches not yet written as tasks", example = "1200")
        long queued,
        @Schema(description = "Queued tasks by priority, highest first (unwritten batch items are not counted here)",
                example = "{\"10\": 200, \"0\": 1000}") Map<String, Long> queuedByPriority,
        @Schema(description = "Running tasks, on every replica", example = "4") long running,
        @Schema(description = "Length of each history interval in seconds", example = "5") long intervalSeconds,
        @Schema(description = "The last 180 closed intervals (fifteen minutes), oldest first, as counted by the"
                + " replica that answers; intervals without activity are zeros") List<PointView> history) {

    /** One interval of the history. */
    @Schema(name = "QueueInterval", description = "One interval of the queue's history")
    record PointView(
            @Schema(description = "When the interval began (UTC)") Instant start,
            @Schema(description = "Tasks that reached a terminal state in it", example = "42") long finished,
            @Schema(description = "Tasks that workers took from the queue in it", example = "40") long claimed,
            @Schema(nullable = true, description = "Mean time those tasks had waited in the queue, in milliseconds;"
                    + " null when none was claimed", example = "830.5") Double averageWaitMs,
            @Schema(nullable = true, description = "The longest of those waits, in milliseconds", example = "2100")
            Long maxWaitMs) {}

    static QueueView of(QueueFigures figures) {
        Map<String, Long> byPriority = new LinkedHashMap<>();
        figures.queuedByPriority().entrySet().stream()
                .sorted(Map.Entry.<Integer, Long>comparingByKey().reversed())
                .forEach(e -> byPriority.put(String.valueOf(e.getKey()), e.getValue()));
        return new QueueView(figures.queued(), byPriority, figures.running(), figures.interval().toSeconds(),
                figures.history().stream().map(QueueView::point).toList());
    }

    private static PointView point(QueueHistory.Point point) {
        return new PointView(point.start(), point.finished(), point.claimed(), point.averageWaitMs(),
                point.maxWaitMs());
    }
}
