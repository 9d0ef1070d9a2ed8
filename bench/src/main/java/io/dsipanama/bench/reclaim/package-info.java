/** Reclaim of stream memory: reclaim-to-notification latency and the cost of a reclaim per page. */
package io.dsipanama.bench.reclaim;
