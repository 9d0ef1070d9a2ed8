package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A hostile peer's pen: writes one random value at a time into a field of the stream header (every named
 * field of {@link StreamHeaderDescriptor}, the counters) or of a slot of the control area (every field of
 * {@link PacketDescriptorDescriptor}), through the hostile process's own mapping. Values are a mix that
 * reaches deep: random words, small steps from the current value, plausible words for nearby positions
 * (sequences {@code 2q+2} and {@code 2q+1}, state words {@code q << 4 | code}), and extremes.
 */
final class Scribbler {
    private final MemorySegment header;
    private final MemorySegment control;
    private final int descriptorCount;
    private final SplittableRandom random;
    private final List<LayoutField> headerFields = new ArrayList<>();
    private final int[] hits;
    private long mutations;

    Scribbler(StreamMapping mapping, long seed) {
        this.header = mapping.headerSegment();
        this.control = mapping.controlSegment();
        this.descriptorCount = mapping.spec().descriptorCount();
        this.random = new SplittableRandom(seed);
        for (LayoutField f : StreamHeaderDescriptor.FIELDS) {
            if (!f.name().startsWith("pad") && !f.name().equals("reserved") && !f.name().equals("counters")) {
                headerFields.add(f);
            }
        }
        for (StreamCounter c : StreamCounter.values()) {
            headerFields.add(new LayoutField(StreamHeaderDescriptor.COUNTERS_OFFSET + c.offset(), 8, c.label(), "", "", ""));
        }
        hits = new int[headerFields.size() + PacketDescriptorDescriptor.FIELDS.size() - 1]; // not the reserved word
    }

    /** One mutation near {@code position} (the scribbler's own idea of where the stream is). */
    void scribble(long position) {
        mutations++;
        long near = position + random.nextInt(-descriptorCount, descriptorCount + 1);
        if (random.nextInt(5) < 3) {
            List<LayoutField> slot = PacketDescriptorDescriptor.FIELDS;
            int i = random.nextInt(slot.size() - 1); // not the reserved word
            LayoutField f = slot.get(i);
            hits[headerFields.size() + i]++;
            long base = (near & (descriptorCount - 1)) * PacketDescriptorDescriptor.LENGTH + f.offset();
            write(control, base, f.size(), value(control, base, f.size(), f.name(), near));
        } else {
            int i = random.nextInt(headerFields.size());
            LayoutField f = headerFields.get(i);
            hits[i]++;
            write(header, f.offset(), f.size(), value(header, f.offset(), f.size(), f.name(), near));
        }
    }

    private long value(MemorySegment s, long at, int size, String field, long near) {
        long current = size == 8 ? s.get(JAVA_LONG, at) : s.get(JAVA_INT, at);
        return switch (random.nextInt(6)) {
            case 0 -> random.nextLong();
            case 1 -> current + random.nextInt(-3, 4);
            case 2 -> current ^ (1L << random.nextInt(size * 8));
            case 3 -> switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Long.MAX_VALUE;
                default -> Long.MIN_VALUE;
            };
            default -> switch (field) {
                case "sequence" -> 2 * near + 1 + random.nextInt(2) + (random.nextBoolean() ? 0 : 2L * descriptorCount);
                case "state" -> PacketDescriptorDescriptor.state(near, random.nextInt(16));
                default -> near + random.nextInt(-2, 3);
            };
        };
    }

    private static void write(MemorySegment s, long at, int size, long value) {
        if (size == 8) {
            s.set(JAVA_LONG, at, value);
        } else {
            s.set(JAVA_INT, at, (int) value);
        }
    }

    long mutations() {
        return mutations;
    }

    /** Fields never hit (should be none after a long run). */
    List<String> missed() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hits.length; i++) {
            if (hits[i] == 0) {
                out.add(i < headerFields.size() ? headerFields.get(i).name()
                        : PacketDescriptorDescriptor.FIELDS.get(i - headerFields.size()).name());
            }
        }
        return out;
    }
}
