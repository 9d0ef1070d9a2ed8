/** The module's benchmark main: release jitter against cyclictest and an executor, and accounting overhead. */
package io.dsipanama.rtu.bench;
