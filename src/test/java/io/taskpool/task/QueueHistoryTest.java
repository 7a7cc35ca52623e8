package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.support.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueHistoryTest {

    /** The start of an interval, so that each step below lands in a known one. */
    private static final Instant START = Instant.parse("2026-05-01T12:00:00Z");

    private final ManualClock clock = new ManualClock(START);
    private final QueueHistory history = new QueueHistory(clock);

    @Test
    void fifteenMinutesOfClosedIntervalsOldestFirstAllZeroAtFirst() {
        List<QueueHistory.Point> points = history.points(null);

        assertThat(points).hasSize(QueueHistory.INTERVALS);
        assertThat(points.get(points.size() - 1).start()).isEqualTo(START.minus(QueueHistory.INTERVAL));
        assertThat(points.get(0).start()).isEqualTo(START.minus(Duration.ofMinutes(15)));
        assertThat(points).allSatisfy(point -> {
            assertThat(point.finished()).isZero();
            assertThat(point.claimed()).isZero();
            assertThat(point.averageWaitMs()).isNull();
        });
    }

    @Test
    void anIntervalShowsOnceClosedWithItsCountsAndWaits() {
        history.claimed("acme", Duration.ofMillis(100));
        history.claimed("beta", Duration.ofMillis(300));
        history.finished("acme");
        assertThat(last(history.points(null)).claimed()).as("the current interval is not shown").isZero();

        clock.advance(QueueHistory.INTERVAL);

        QueueHistory.Point all = last(history.points(null));
        assertThat(all.start()).isEqualTo(START);
        assertThat(all.claimed()).isEqualTo(2);
        assertThat(all.finished()).isEqualTo(1);
        assertThat(all.averageWaitMs()).isEqualTo(200.0);
        assertThat(all.maxWaitMs()).isEqualTo(300);
        QueueHistory.Point acme = last(history.points("acme"));
        assertThat(acme.claimed()).isEqualTo(1);
        assertThat(acme.maxWaitMs()).isEqualTo(100);
        assertThat(last(history.points("nobody")).claimed()).isZero();
    }

    @Test
    void anIntervalIsShownForFifteenMinutesThenForgottenThoughItsSlotStillHoldsIt() {
        history.finished("acme");
        clock.advance(QueueHistory.INTERVAL.multipliedBy(QueueHistory.INTERVALS));
        assertThat(history.points(null).get(0).finished()).as("fifteen minutes old: the oldest point").isEqualTo(1);

        clock.advance(QueueHistory.INTERVAL);
        assertThat(history.points(null)).extracting(QueueHistory.Point::finished).containsOnly(0L);

        history.finished("acme");
        clock.advance(QueueHistory.INTERVAL);
        assertThat(history.points(null)).extracting(QueueHistory.Point::finished).containsOnlyOnce(1L);
    }

    private static QueueHistory.Point last(List<QueueHistory.Point> points) {
        return points.get(points.size() - 1);
    }
}
