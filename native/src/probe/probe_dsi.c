/* The shim's own shared structures (include/dsi_uffd.h). */
#include "dsi_uffd.h"
#include "probe.h"

PROBE_SIZEOF(dsi_uffd_event, struct dsi_uffd_event);
PROBE_OFFSETOF(dsi_uffd_event, struct dsi_uffd_event, address);
PROBE_OFFSETOF(dsi_uffd_event, struct dsi_uffd_event, end);
PROBE_OFFSETOF(dsi_uffd_event, struct dsi_uffd_event, time_ns);
PROBE_OFFSETOF(dsi_uffd_event, struct dsi_uffd_event, kind);
PROBE_OFFSETOF(dsi_uffd_event, struct dsi_uffd_event, tid);
PROBE_SIZEOF(dsi_uffd_ring, struct dsi_uffd_ring);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, head);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, tail);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, faults);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, events);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, lost);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, resolve_errors);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, last_error);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, capacity);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, page_size);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, state);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, retries);
PROBE_OFFSETOF(dsi_uffd_ring, struct dsi_uffd_ring, slots);
PROBE_CONST(DSI_UFFD_EVENT_MISSING);
PROBE_CONST(DSI_UFFD_EVENT_MINOR);
PROBE_CONST(DSI_UFFD_EVENT_WP);
PROBE_CONST(DSI_UFFD_EVENT_REMOVE);
PROBE_CONST(DSI_UFFD_EVENT_OTHER);
PROBE_CONST(DSI_UFFD_STATE_RUNNING);
PROBE_CONST(DSI_UFFD_STATE_STOPPED);
PROBE_CONST(DSI_UFFD_STATE_FAILED);
