/*
 * The layout probe: a test-only library that reports sizeof, offsetof and constant values straight
 * from the real C headers, so the Java bindings (written by hand in jextract's shape) can be checked
 * against them. Never shipped.
 *
 * Each probe_*.c file declares entries with the macros below; the linker gathers every entry into the
 * section "dsi_probe" and the loader walks it between __start_dsi_probe and __stop_dsi_probe, so adding
 * a file needs no central list.
 *
 * Keys (what the Java test looks up):
 *   NAME                        a constant, by its C name
 *   sizeof:TYPE                 sizeof, TYPE being the struct tag or typedef name
 *   offsetof:TYPE.a.b           offsetof, nested members joined with '.'
 *   compat:NAME                 NAME came from include/dsi_uapi_compat.h, not a system header
 */
#ifndef DSI_PROBE_H
#define DSI_PROBE_H

#include <stddef.h>

struct dsi_probe_entry {
    const char *name;
    long long value;
};

#define DSI_PROBE_CAT2(a, b) a##b
#define DSI_PROBE_CAT(a, b) DSI_PROBE_CAT2(a, b)
#define DSI_PROBE_ENTRY(key, val)                                                             \
    static const struct dsi_probe_entry DSI_PROBE_CAT(dsi_probe_entry_, __COUNTER__)          \
        __attribute__((used, section("dsi_probe"), aligned(16))) = { (key), (long long)(val) }

#define PROBE_CONST(NAME) DSI_PROBE_ENTRY(#NAME, NAME)
#define PROBE_SIZEOF(KEY, TYPE) DSI_PROBE_ENTRY("sizeof:" #KEY, sizeof(TYPE))
#define PROBE_OFFSETOF(KEY, TYPE, MEMBER) DSI_PROBE_ENTRY("offsetof:" #KEY "." #MEMBER, offsetof(TYPE, MEMBER))

#endif
