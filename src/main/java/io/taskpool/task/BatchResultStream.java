package io.taskpool.task;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Hands a batch's items to a sink as they finish, the way {@code Pool.imap} (input order) and
 * {@code imap_unordered} (completion order) do, and returns after the last. Runs on the caller's
 * thread and reads the store one page at a time: a slow sink blocks the writer (the socket's
 * back-pressure), never makes the batch pile up in memory.
 */
public final class BatchResultStream {

    /** Items read from the store per query. */
    private static final int PAGE = 500;
    /** Without a signal, the store is read again after this long (items finished elsewhere). */
    private static final long POLL_MILLIS = 1000;

    /** Where items go; {@link #flush()} after each group, so a reader sees them at once. */
    public interface ItemSink {
        void accept(BatchItem item) throws IOException;

        void flush() throws IOException;
    }

    private final BatchStore store;
    private final BatchSignals signals;
    /** The service is stopping: streams end (within a poll) instead of being cut off. */
    private volatile boolean stopping;

    public BatchResultStream(BatchStore store, BatchSignals signals) {
        this.store = store;
        this.signals = signals;
    }

    /**
     * Ends every open stream within a second, cleanly, with the items sent so far: the service
     * is stopping. A client reads the rest from another replica or after the restart.
     */
    public void stopAll() {
        stopping = true;
    }

    /** Sends item 0, 1, 2, ... each as soon as it and all before it are terminal. */
    public void inInputOrder(BatchStatus batch, ItemSink sink) throws IOException, InterruptedException {
        UUID id = batch.batch().id();
        Semaphore wake = new Semaphore(0);
        int[] next = {0};
        try (BatchSignals.Subscription ignored = signals.subscribe(id, index -> {
            if (index == next[0] || index == BatchSignals.MANY) {
                wake.release();
            }
        })) {
            while (!stopping && next[0] < batch.batch().size()) {
                wake.drainPermits(); // before reading: a signal from now on wakes the wait below
                List<BatchItem> page = store.items(id, next[0], PAGE);
                if (page.isEmpty()) {
                    return; // the remaining items were deleted
                }
                int sent = 0;
                for (BatchItem item : page) {
                    if (!item.state().isTerminal()) {
                        break;
                    }
                    sink.accept(item);
                    sent++;
                    next[0] = item.index() + 1; // a deleted item leaves a gap, skipped here
                }
                if (sent > 0) {
                    sink.flush();
                } else {
                    if (page.get(0).index() > next[0]) {
                        next[0] = page.get(0).index();
                        continue;
                    }
                    wake.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * Sends each item as it finishes. Items already finished when the stream starts come first,
     * in input order.
     */
    public void inCompletionOrder(BatchStatus batch, ItemSink sink) throws IOException, InterruptedException {
        UUID id = batch.batch().id();
        Semaphore wake = new Semaphore(0);
        Queue<Integer> finished = new ConcurrentLinkedQueue<>();
        BitSet sent = new BitSet(batch.batch().size());
        try (BatchSignals.Subscription ignored = signals.subscribe(id, index -> {
            finished.add(index);
            wake.release();
        })) {
            sendAllFinished(id, sent, sink);
            long countedAt = System.nanoTime();
            while (!stopping) {
                boolean signalled = wake.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                List<Integer> indexes = new ArrayList<>();
                boolean many = !signalled;
                for (Integer index = finished.poll(); index != null; index = finished.poll()) {
                    if (index == BatchSignals.MANY) {
                        many = true;
                    } else if (!sent.get(index)) {
                        indexes.add(index);
                    }
                }
                for (int from = 0; from < indexes.size(); from += PAGE) {
                    for (BatchItem item : store.itemsAt(id, indexes.subList(from, Math.min(indexes.size(), from + PAGE)))) {
                        if (item.state().isTerminal() && !sent.get(item.index())) {
                            sent.set(item.index());
                            sink.accept(item);
                        }
                    }
                }
                sink.flush();
                if (sent.cardinality() >= batch.batch().size()) {
                    return;
                }
                long now = System.nanoTime();
                if (!many && now - countedAt < TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)) {
                    continue;
                }
                countedAt = now;
                long unfinished = store.unfinished(id);
                if (batch.batch().size() - unfinished > sent.cardinality()) {
                    // A bulk change, or items no signal named (finished elsewhere, deleted).
                    sendAllFinished(id, sent, sink);
                }
                if (unfinished == 0) {
                    return;
                }
            }
        }
    }

    private void sendAllFinished(UUID id, BitSet sent, ItemSink sink) throws IOException {
        int from = 0;
        while (true) {
            List<BatchItem> page = store.finishedItems(id, from, PAGE);
            for (BatchItem item : page) {
                if (!sent.get(item.index())) {
                    sent.set(item.index());
                    sink.accept(item);
                }
            }
            sink.flush();
            if (page.size() < PAGE) {
                return;
            }
            from = page.get(page.size() - 1).index() + 1;
        }
    }
}
