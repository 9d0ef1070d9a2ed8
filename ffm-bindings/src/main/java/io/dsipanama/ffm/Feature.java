package io.dsipanama.ffm;

/**
 * One kernel or privilege feature as probed at start: its stable name (a key of {@code dsi doctor --json}),
 * whether it is usable here, and a one-line detail (what was found, or why it is not available).
 */
public record Feature(String name, boolean available, String detail) {
    public static Feature yes(String name, String detail) {
        return new Feature(name, true, detail);
    }

    public static Feature no(String name, String cause) {
        return new Feature(name, false, cause);
    }
}
