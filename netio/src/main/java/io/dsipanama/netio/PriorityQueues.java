package io.dsipanama.netio;

/**
 * One FIFO of receive-slot ids per priority class, each as large as the slot count (a slot is in at most
 * one queue), so offering never fails. Polling takes the highest class first; shedding the lowest.
 * Allocation-free. Threading: the ring's thread only.
 */
final class PriorityQueues {
    private final int classes;
    private final int mask;
    private final int[] entries;
    private final long[] heads;
    private final long[] tails;
    private int size;

    PriorityQueues(int classes, int capacity) {
        int cap = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.classes = classes;
        this.mask = cap - 1;
        this.entries = new int[classes * cap];
        this.heads = new long[classes];
        this.tails = new long[classes];
    }

    void offer(int priority, int slot) {
        if (tails[priority] - heads[priority] > mask) {
            throw new IllegalStateException("queue of class " + priority + " overflows: a slot was queued twice");
        }
        entries[priority * (mask + 1) + (int) (tails[priority]++ & mask)] = slot;
        size++;
    }

    /** The oldest slot of the highest non-empty class, or -1. */
    int pollHighest() {
        for (int p = classes - 1; p >= 0; p--) {
            if (heads[p] != tails[p]) {
                return take(p);
            }
        }
        return -1;
    }

    /** The oldest slot of the lowest non-empty class below {@code belowPriority}, or -1. */
    int pollLowestBelow(int belowPriority) {
        for (int p = 0; p < belowPriority && p < classes; p++) {
            if (heads[p] != tails[p]) {
                return take(p);
            }
        }
        return -1;
    }

    private int take(int p) {
        size--;
        return entries[p * (mask + 1) + (int) (heads[p]++ & mask)];
    }

    int size() {
        return size;
    }

    int size(int priority) {
        return (int) (tails[priority] - heads[priority]);
    }
}
