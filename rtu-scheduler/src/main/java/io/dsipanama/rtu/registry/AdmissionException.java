package io.dsipanama.rtu.registry;

/**
 * Admission control refused a reserve or a change to one. The message says why for every processor that
 * was tried (each processor's verdict reason, or that it had no priority left or the registry is full).
 */
public final class AdmissionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AdmissionException(String message) {
        super(message);
    }
}
