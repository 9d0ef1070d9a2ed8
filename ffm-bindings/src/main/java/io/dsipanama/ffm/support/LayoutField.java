package io.dsipanama.ffm.support;

import java.util.List;

/**
 * One row of a {@code *Descriptor} table: where a field lives, who writes it, who reads it and with which
 * access mode (each module's package documentation gives its vocabulary). The {@code *Descriptor} classes of
 * shared-memory layouts (streams, chains, the reserve registry, metrics) keep their rows as a list of these so a
 * test can check that the rows tile the structure and match the javadoc table.
 *
 * @param offset    byte offset from the start of the structure
 * @param size      bytes
 * @param name      field name, as in the javadoc table
 * @param writtenBy which party stores to it
 * @param readBy    which parties load it
 * @param ordering  the access mode of the stores and loads, and what they pair with
 */
public record LayoutField(int offset, int size, String name, String writtenBy, String readBy, String ordering) {

    public LayoutField {
        if (offset < 0 || size <= 0) {
            throw new IllegalArgumentException("field " + name + ": offset " + offset + ", size " + size);
        }
    }

    public int end() {
        return offset + size;
    }

    /** The table rows as they appear in a Descriptor's javadoc, one per line. */
    public static String render(List<LayoutField> fields) {
        StringBuilder b = new StringBuilder();
        for (LayoutField f : fields) {
            b.append(" * | ").append(f.offset).append(" | ").append(f.size).append(" | ").append(f.name)
                    .append(" | ").append(f.writtenBy).append(" | ").append(f.readBy).append(" | ")
                    .append(f.ordering).append(" |\n");
        }
        return b.toString();
    }
}
