package io.dsipanama.rtu.registry;

/**
 * Host-wide counters in the registry header ({@link RegistryHeaderDescriptor#COUNTERS_OFFSET}). Ids are
 * stable slots: a new counter takes the next id, a retired id is never reused. Every counter is written
 * by whichever process holds the registry lock, so there is one writer at a time.
 */
public enum RegistryCounter {
    ADMISSIONS(0, "admissions", "reserves admitted"),
    REJECTIONS(1, "rejections", "reserves refused by admission control"),
    MODIFICATIONS(2, "modifications", "reserves changed at run time"),
    MODIFICATION_REJECTIONS(3, "modification_rejections", "changes refused by admission control"),
    RELEASES(4, "releases", "reserves given back by their owner"),
    RECLAIMED(5, "reclaimed", "reserves of dead processes freed by another process");

    private final int id;
    private final String label;
    private final String meaning;

    RegistryCounter(int id, String label, String meaning) {
        this.id = id;
        this.label = label;
        this.meaning = meaning;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    public String meaning() {
        return meaning;
    }

    /** Byte offset in the registry file. */
    public int offset() {
        return RegistryHeaderDescriptor.COUNTERS_OFFSET + id * Long.BYTES;
    }
}
