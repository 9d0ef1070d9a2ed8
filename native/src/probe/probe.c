/* Entry points of the layout probe; see probe.h. */
#include "probe.h"

#define DSI_EXPORT __attribute__((visibility("default")))

extern const struct dsi_probe_entry __start_dsi_probe[];
extern const struct dsi_probe_entry __stop_dsi_probe[];

DSI_EXPORT long dsi_probe_count(void)
{
    return __stop_dsi_probe - __start_dsi_probe;
}

DSI_EXPORT const char *dsi_probe_name(long i)
{
    return __start_dsi_probe[i].name;
}

DSI_EXPORT long long dsi_probe_value(long i)
{
    return __start_dsi_probe[i].value;
}
